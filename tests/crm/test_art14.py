"""CON-12: contacts not collected from the person get an Art. 14 notice within one month; the date is stored."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from access import roles
from core.actors import Actor, acting_as
from core.figures import figures_refresh
from core.models import AuditEvent, OutboxMessage
from core.outbox import message_deliver
from crm import selectors
from crm.models import Contact, SourceKind
from crm.services import art14_notice_send, art14_notices_send_pending, contact_delete
from crm.tasks import send_art14_notices

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db

OVERDUE = f"{reverse('crm:contact_list')}?art14=overdue"
SOURCE_DETAIL = "salon-2026.csv, supplied by Fichiers Pro SARL"


def imported(*, days_ago: int = 40, **fields) -> Contact:
    """A contact from an import `days_ago` days ago (the factory gives it an email address unless told otherwise)."""
    fields.setdefault("collected_at", timezone.now() - timedelta(days=days_ago))
    return ContactFactory(source=SourceKind.IMPORT, source_detail=SOURCE_DETAIL, **fields)


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'<tr data-contact="(\d+)"', response.content.decode())}


@pytest.fixture
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


# ------------------------------------------------------------------------------------------ who is owed a notice


def test_an_import_on_d_without_notice_is_overdue_the_day_after_d_plus_one_month(paris):
    # given a contact imported on 31 January (Paris time), with no notice
    contact = imported(collected_at=datetime(2026, 1, 31, 9, 0, tzinfo=UTC))
    pending = Contact.objects.filter(pk=contact.pk)

    # then it is due on 28 February and overdue from 1 March
    assert selectors.art14_status(contact=contact, today=date(2026, 2, 28)).due == date(2026, 2, 28)
    assert not pending.art14_overdue(today=date(2026, 2, 28)).exists()
    assert pending.art14_overdue(today=date(2026, 3, 1)).exists()
    assert selectors.art14_status(contact=contact, today=date(2026, 3, 1)).overdue


def test_the_month_runs_from_the_local_collection_day(paris):
    # 23:30 UTC on 31 January is 1 February in Paris: due on 1 March, so not overdue on 1 March
    imported(collected_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    early = imported(collected_at=datetime(2026, 1, 31, 22, 30, tzinfo=UTC))
    overdue = set(Contact.objects.art14_overdue(today=date(2026, 3, 1)).values_list("pk", flat=True))
    assert overdue == {early.pk}


def test_contacts_the_person_gave_us_never_need_a_notice(dpo_user, role_client):
    manual = ContactFactory(collected_at=timezone.now() - timedelta(days=90))
    for source in (SourceKind.WEB_FORM, SourceKind.API, SourceKind.EVENT):
        ContactFactory(source=source, collected_at=timezone.now() - timedelta(days=90))

    assert not Contact.objects.art14_pending().exists()
    assert selectors.art14_status(contact=manual) is None
    assert art14_notice_send(contact=manual) is None
    assert not OutboxMessage.objects.exists()
    page = role_client(roles.DPO).get(reverse("crm:contact_detail", args=[manual.pk]))
    assert 'id="art14-notice"' not in page.content.decode()


def test_restricted_and_deleted_contacts_are_not_pending():
    restricted, deleted, waiting = imported(), imported(), imported()
    Contact.objects.filter(pk=restricted.pk).update(restricted=True, restricted_at=timezone.now())
    contact_delete(contact=deleted, reason="duplicate")
    assert set(Contact.objects.art14_pending().values_list("pk", flat=True)) == {waiting.pk}


# ------------------------------------------------------------------------------------------------ the notice


def test_sending_stores_the_date_and_the_message_tells_the_source_and_the_rights(
    dpo_user, settings, django_capture_on_commit_callbacks
):
    # given an imported contact reading English
    settings.CONTROLLER_NAME = "Acme Solidarité"
    settings.CONTROLLER_CONTACT = "dpo@acme.example"
    contact = imported(first_name="Ada", emails=["ada@example.org"], preferred_language="en")

    # when a DPO sends the notice
    with acting_as(Actor.for_user(dpo_user)), django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = art14_notice_send(contact=contact)

    # then the message is queued for delivery after commit, to the contact, in their language
    assert message is not None
    assert len(callbacks) == 1
    assert (message.recipient, message.language, message.template) == ("ada@example.org", "en", "art14_notice")
    assert message.contact_id == contact.pk
    assert message.subject == "Where your personal data came from, and your rights"
    body = message.body
    # who the controller is and how to reach it, where the data came from, what is held
    for text in ("Acme Solidarité", "dpo@acme.example", SOURCE_DETAIL, "Source: Import", "Identity", "Contact details"):
        assert text in body, text
    # the rights and how to exercise them, the complaint to the CNIL
    for right in ("access", "rectification", "erasure", "restriction", "portability", "object", "CNIL"):
        assert right in body, right
    assert "Reply to this message or write to dpo@acme.example" in body
    assert "{%" not in body and "{{" not in body

    # and the date is stored, with a history row attributed to the DPO, and an audit event
    contact.refresh_from_db()
    assert contact.art14_notice_sent_at is not None
    latest = contact.history.order_by("-history_id").first()
    assert latest.art14_notice_sent_at == contact.art14_notice_sent_at
    assert (latest.history_actor_kind, latest.history_actor_label) == ("user", dpo_user.get_username())
    assert latest.history_change_reason == "Art. 14 notice sent"
    event = AuditEvent.objects.get(action="art14.notice_sent")
    assert (event.subject_id, event.actor_user_id, event.data["message_id"]) == (contact.pk, dpo_user.pk, message.pk)
    assert "ada@example.org" not in str(event.data)
    assert not Contact.objects.art14_pending().exists()


def test_the_notice_is_delivered_by_email():
    contact = imported(emails=["bob@example.org"], preferred_language="en")
    message = art14_notice_send(contact=contact)
    message_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@example.org"]
    assert SOURCE_DETAIL in mail.outbox[0].body


def test_the_notice_is_written_in_the_contact_language():
    contact = imported(preferred_language="fr")
    assert art14_notice_send(contact=contact).language == "fr"


def test_a_second_send_does_nothing():
    contact = imported()
    first = art14_notice_send(contact=contact)
    sent_at = Contact.objects.get(pk=contact.pk).art14_notice_sent_at

    assert first is not None
    assert art14_notice_send(contact=contact) is None
    assert art14_notice_send(contact=Contact.objects.get(pk=contact.pk)) is None
    assert OutboxMessage.objects.filter(contact=contact).count() == 1
    assert AuditEvent.objects.filter(action="art14.notice_sent").count() == 1
    assert Contact.objects.get(pk=contact.pk).art14_notice_sent_at == sent_at


def test_a_contact_without_email_is_skipped_and_stays_pending():
    contact = imported(emails=[], phones=["+33 1 99 00 12 34"])
    assert art14_notice_send(contact=contact) is None
    assert not OutboxMessage.objects.exists()
    assert Contact.objects.art14_overdue().filter(pk=contact.pk).exists()


# ------------------------------------------------------------------------------------------- the daily task


def test_the_task_sends_pending_notices_in_batches_and_skips_contacts_without_email(monkeypatch):
    # given three imported contacts with an email, one without, and a manual one
    with_email = [imported() for _ in range(3)]
    without_email = imported(emails=[])
    manual = ContactFactory()
    requeued: list[int] = []
    monkeypatch.setattr(send_art14_notices, "delay", lambda batch_size: requeued.append(batch_size))

    # when the task runs (called as a function) with batches of two
    first = send_art14_notices(batch_size=2)

    # then it sends two and re-enqueues itself; the next run sends the last one and stops
    assert (first, requeued) == (2, [2])
    assert send_art14_notices(batch_size=2) == 1
    assert requeued == [2]
    assert send_art14_notices(batch_size=2) == 0
    sent = set(Contact.objects.filter(art14_notice_sent_at__isnull=False).values_list("pk", flat=True))
    assert sent == {contact.pk for contact in with_email}
    assert OutboxMessage.objects.count() == 3
    # the contact without email stays pending, the manual one was never concerned
    assert set(Contact.objects.art14_pending().values_list("pk", flat=True)) == {without_email.pk}
    assert manual.pk not in sent


def test_pending_batch_reports_whether_more_remain():
    for _ in range(3):
        imported()
    assert art14_notices_send_pending(batch_size=3) == (3, False)
    assert art14_notices_send_pending(batch_size=3) == (0, False)


# ----------------------------------------------------------------------------------------- pages and filter


def test_overdue_contacts_show_in_the_filtered_list_and_on_the_dashboard(role_client):
    # given an import from 40 days ago, one from 10 days ago, and a manual contact
    overdue = imported(days_ago=40)
    recent = imported(days_ago=10)
    manual = ContactFactory(collected_at=timezone.now() - timedelta(days=40))
    client = role_client(roles.DPO)

    # then the list filtered on overdue shows only the old import; "pending" shows both imports
    assert listed(client.get(OVERDUE)) == {overdue.pk}
    assert listed(client.get(reverse("crm:contact_list"), {"art14": "pending"})) == {overdue.pk, recent.pk}
    assert manual.pk in listed(client.get(reverse("crm:contact_list")))

    # and the dashboard counts it (once its figures are refreshed), linking to that list
    figures_refresh()
    html = client.get(reverse("dashboard")).content.decode()
    card = html[html.index('id="kpi-art14"') :]
    assert f'href="{OVERDUE}">1</a>' in card

    # once the notice is sent, it leaves both
    art14_notice_send(contact=overdue)
    assert listed(client.get(OVERDUE)) == set()
    figures_refresh()
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{OVERDUE}">0</a>' in html[html.index('id="kpi-art14"') :]


def test_the_api_shares_the_filter(role_client):
    overdue = imported(days_ago=40)
    imported(days_ago=10)
    response = role_client(roles.DPO).get("/api/v1/contacts/", {"art14": "overdue"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [overdue.pk]
    assert role_client(roles.DPO).get("/api/v1/contacts/", {"art14": "nonsense"}).status_code == 400


def test_sales_see_only_their_own_overdue_contacts(sales_user, dpo_user):
    mine = imported(owner=sales_user)
    imported(owner=dpo_user)
    assert set(selectors.art14_overdue(sales_user).values_list("pk", flat=True)) == {mine.pk}
    assert selectors.art14_overdue(dpo_user).count() == 2


def test_the_contact_page_shows_the_deadline_and_sends_now(sales_user, role_client):
    contact = imported(owner=sales_user, days_ago=40)
    client = role_client(roles.SALES)
    page = client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    assert 'id="art14-overdue"' in page
    assert "due by" in page
    assert 'id="art14-send"' in page

    response = client.post(reverse("crm:contact_art14_send", args=[contact.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("crm:contact_detail", args=[contact.pk])
    page = response.content.decode()
    assert "sent on" in page
    assert 'id="art14-send"' not in page and 'id="art14-overdue"' not in page
    assert AuditEvent.objects.get(action="art14.notice_sent").actor_user_id == sales_user.pk


def test_send_now_without_email_says_why(role_client):
    contact = imported(emails=[])
    response = role_client(roles.DPO).post(reverse("crm:contact_art14_send", args=[contact.pk]), follow=True)
    assert "no email address" in response.content.decode()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("role", [roles.AUDITOR, "outsider"])
def test_send_now_needs_the_change_permission(role, cast, client):
    contact = imported()
    client.force_login(cast[role])
    response = client.post(reverse("crm:contact_art14_send", args=[contact.pk]))
    assert response.status_code == 403
    assert not OutboxMessage.objects.exists()


def test_send_now_on_another_sales_contact_is_not_found(sales_user, dpo_user, role_client):
    contact = imported(owner=dpo_user)
    response = role_client(roles.SALES).post(reverse("crm:contact_art14_send", args=[contact.pk]))
    assert response.status_code == 404
    assert not OutboxMessage.objects.exists()


def test_send_now_answers_get_with_405(role_client):
    contact = imported()
    assert role_client(roles.DPO).get(reverse("crm:contact_art14_send", args=[contact.pk])).status_code == 405


def test_beat_runs_the_task_daily(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["art14-notices"]
    assert entry["task"] == send_art14_notices.name
    assert entry["task"] in app.tasks
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)
