"""The DPO registers a partner's webhook in a real browser; the partner's open Art. 19 task is sent and closed."""

from __future__ import annotations

import pytest
from django.db import transaction

from crm.models import NotificationCause
from crm.services import disclosure_record, recipient_notifications_open

from ..crm.webhook_receiver import receiving
from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_registers_a_webhook_and_the_open_task_is_delivered_and_closed(dpo_user, login, settings, eager_celery):
    settings.WEBHOOK_HTTP_HOSTS, settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1"], True  # a lab receiver
    contact = ContactFactory(first_name="Hedy", last_name="Lamarr")
    disclosure_record(recipient="Partner X", channel="export", contact_ids=[contact.pk], fields=["email"])
    with transaction.atomic():
        (task,) = recipient_notifications_open(contact=contact, cause=NotificationCause.ERASURE)
    page = login(dpo_user)

    with receiving(200) as partner:
        page.goto("/contacts/art19/")
        page.click("#webhooks-link")
        page.click("#endpoint-new")
        page.fill("input[name='recipient']", "Partner X")
        page.fill("input[name='url']", "http://10.0.0.1/hook")
        page.fill("input[name='secret']", "partner-x-shared-secret")
        with page.expect_navigation():
            page.click("#endpoint-save")
        assert "Use https" in page.inner_text("#id_url_errors")
        page.fill("input[name='url']", partner.url)
        page.fill("input[name='secret']", "partner-x-shared-secret")  # a password field is never filled back
        with page.expect_navigation():
            page.click("#endpoint-save")

        assert page.inner_text("#endpoint-url") == partner.url
        assert "partner-x-shared-secret" not in page.content()
        assert "200" in page.inner_text("#delivery-table")
    (received,) = partner.received
    assert received.signature_valid("partner-x-shared-secret") and received.notice["task"] == task.pk
    assert b"Lamarr" not in received.body
    task.refresh_from_db()
    assert task.status == "sent"
    page.click(f"#delivery-table a[href='/contacts/art19/{task.pk}/']")
    assert "Sent" in page.inner_text("#task-status")
    assert page.locator("#task-deliveries li").count() == 1
