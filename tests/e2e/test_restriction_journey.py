"""The DPO's journey through an Art. 18 restriction and the Art. 19 tasks it opens, in a real browser."""

from __future__ import annotations

import pytest

from core.models import AuditEvent, OutboxMessage
from crm.models import Contact, RecipientNotification
from crm.services import disclosure_record

from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_restricts_tells_the_person_lifts_and_closes_the_partner_task(dpo_user, login):
    contact = ContactFactory(first_name="Hedy", last_name="Lamarr", emails=["hedy@example.com"])
    disclosure_record(recipient="Partner X", channel="export", contact_ids=[contact.pk], fields=["email"], country="DE")
    page = login(dpo_user)

    # restrict, from the contact page
    page.goto(f"/contacts/{contact.pk}/")
    page.click("#restrict-contact")
    page.fill("input[name='place-reason']", "Accuracy contested by the person")
    with page.expect_navigation():
        page.click("#restriction-place-submit")
    assert "Accuracy contested by the person" in page.inner_text("#restriction-banner")
    assert page.locator("#edit-contact").count() == 0  # read-only now
    assert "Restriction" in page.inner_text("#recipients-panel [data-recipient='Partner X']")

    # the lift button waits for the notice
    page.click("#manage-restriction")
    assert page.locator("#restriction-lift-submit").is_disabled()
    page.select_option("select[name='notify-channel']", "email")
    with page.expect_navigation():
        page.click("#restriction-notify-submit")
    page.click("#manage-restriction")
    assert page.locator("#restriction-notified").is_visible()
    page.fill("input[name='lift-reason']", "Address checked with the person")
    with page.expect_navigation():
        page.click("#restriction-lift-submit")
    assert page.locator("#restriction-banner").count() == 0
    assert not Contact.objects.get(pk=contact.pk).restricted
    assert OutboxMessage.objects.filter(contact=contact, template="restriction_lift_notice").count() == 1
    lifted = AuditEvent.objects.get(action="restriction.lifted", subject_id=contact.pk)
    assert lifted.data["notification_sent_at"] < lifted.data["lifted_at"]

    # the Art. 19 task for Partner X: a justification is asked for before it closes as impossible
    page.goto("/contacts/art19/")
    page.click("#task-table tr[data-task] a")
    page.select_option("select[name='status']", "impossible")
    with page.expect_navigation():
        page.click("#task-close")
    assert page.locator("#id_justification_errors").is_visible()
    page.fill("textarea[name='justification']", "Partner X has ceased trading; no one to tell.")
    with page.expect_navigation():
        page.click("#task-close")
    assert page.locator("#task-table tr[data-task]").count() == 0
    task = RecipientNotification.objects.get(contact=contact)
    assert (task.status, task.resolved_by) == ("impossible", dpo_user.get_username())
