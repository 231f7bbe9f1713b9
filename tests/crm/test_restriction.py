"""Art. 18 restriction (CON-09, CON-10): placing it, telling the person before lifting it, lifting it."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.actors import Actor, acting_as
from core.models import AuditEvent, OutboxMessage
from crm.models import Contact
from crm.services import contact_restriction_lift, contact_restriction_place, restriction_lift_notify
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(dpo_user) -> Contact:
    contact = ContactFactory(first_name="Rosalind", emails=["rosalind@example.com"], preferred_language="fr")
    with acting_as(Actor.for_user(dpo_user)):
        return contact_restriction_place(contact=contact, reason="Accuracy contested")


def test_a_restriction_needs_a_reason():
    contact = ContactFactory()
    with pytest.raises(ValidationError) as error:
        contact_restriction_place(contact=contact, reason=" ")
    assert "reason" in error.value.message_dict
    assert not Contact.objects.get(pk=contact.pk).restricted


def test_placing_a_restriction_is_recorded_and_hides_the_contact_from_changes(restricted, dpo_user):
    stored = Contact.objects.get(pk=restricted.pk)
    assert (stored.restricted, stored.restriction_reason) == (True, "Accuracy contested")
    assert stored.restricted_at is not None
    assert AuditEvent.objects.filter(action="restriction.placed", subject_id=stored.pk, actor_label="dpo").exists()
    assert not Contact.objects.restrict(dpo_user, "change").filter(pk=stored.pk).exists()
    assert Contact.objects.restrict(dpo_user, "restrict").filter(pk=stored.pk).exists()


def test_lifting_is_refused_until_the_person_was_told(restricted):
    with pytest.raises(ValidationError, match="Tell the person first"):
        contact_restriction_lift(contact=restricted)
    assert Contact.objects.get(pk=restricted.pk).restricted


def test_the_email_notice_goes_out_in_the_persons_language_then_the_lift_records_both_times(restricted):
    restriction_lift_notify(contact=restricted, channel="email")
    message = OutboxMessage.objects.get(contact=restricted, template="restriction_lift_notice")
    assert (message.recipient, message.language) == ("rosalind@example.com", "fr")
    assert "Bonjour Rosalind" in message.body and "(article 18)" in message.body  # French, as the person asked

    contact_restriction_lift(contact=restricted, reason="Accuracy checked")

    stored = Contact.objects.get(pk=restricted.pk)
    assert (stored.restricted, stored.restricted_at, stored.restriction_lift_notified_at) == (False, None, None)
    lifted = AuditEvent.objects.get(action="restriction.lifted", subject_id=stored.pk)
    notified_at = datetime.fromisoformat(lifted.data["notification_sent_at"])
    assert notified_at < datetime.fromisoformat(lifted.data["lifted_at"])
    notified = AuditEvent.objects.get(action="restriction.lift_notified", subject_id=stored.pk)
    assert notified.data == {"channel": "email", "message_id": message.pk}
    # the reasons staff wrote are the person's data: in the events' details, not the events
    assert lifted.reason == "" and lifted.detail.note == "Accuracy checked"


def test_a_notice_given_otherwise_needs_a_note_and_an_email_notice_an_address():
    contact = contact_restriction_place(contact=ContactFactory(emails=[]), reason="Objection being examined")
    with pytest.raises(ValidationError) as error:
        restriction_lift_notify(contact=contact, channel="email")
    assert "channel" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        restriction_lift_notify(contact=contact, channel="post", note="")
    assert "note" in error.value.message_dict

    restriction_lift_notify(contact=contact, channel="post", note="Letter sent on 2 March")
    contact_restriction_lift(contact=contact)
    assert not Contact.objects.get(pk=contact.pk).restricted
    assert not OutboxMessage.objects.filter(contact=contact).exists()


def test_restricting_again_asks_for_a_new_notice(restricted):
    restriction_lift_notify(contact=restricted, channel="phone", note="Called on 2 March")
    first_date = Contact.objects.get(pk=restricted.pk).restricted_at
    contact_restriction_place(contact=restricted, reason="Objection being examined")

    stored = Contact.objects.get(pk=restricted.pk)
    assert (stored.restricted_at, stored.restriction_lift_notified_at) == (first_date, None)
    with pytest.raises(ValidationError):
        contact_restriction_lift(contact=restricted)


def test_the_restriction_page_walks_the_three_steps(dpo_user, client):
    contact = ContactFactory(first_name="Barbara", emails=["barbara@example.com"])
    client.force_login(dpo_user)
    page = reverse("crm:contact_restriction", args=[contact.pk])

    assert client.post(page, {"step": "place", "place-reason": ""}).status_code == 200  # field error, nothing saved
    assert not Contact.objects.get(pk=contact.pk).restricted
    assert client.post(page, {"step": "place", "place-reason": "Accuracy contested"}).status_code == 302

    html = client.get(page).content.decode()
    assert 'id="restriction-lift-submit" disabled' in html
    assert client.post(page, {"step": "lift", "lift-reason": ""}).status_code == 200
    assert Contact.objects.get(pk=contact.pk).restricted

    assert client.post(page, {"step": "notify", "notify-channel": "email", "notify-note": ""}).status_code == 302
    assert 'id="restriction-lift-submit" disabled' not in client.get(page).content.decode()
    assert client.post(page, {"step": "lift", "lift-reason": "Checked"}).status_code == 302
    assert not Contact.objects.get(pk=contact.pk).restricted


def test_roles_without_the_permission_cannot_restrict(sales_user, support_user, client):
    contact = ContactFactory(owner=sales_user)
    for user in (sales_user, support_user):
        client.force_login(user)
        assert client.get(reverse("crm:contact_restriction", args=[contact.pk])).status_code == 403
        url = reverse("api:contact-restriction-place", args=[contact.pk])
        assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    assert not Contact.objects.get(pk=contact.pk).restricted


def test_the_api_walks_the_three_steps(dpo_user, client):
    contact = ContactFactory(emails=["dorothy@example.com"])
    client.force_login(dpo_user)

    def post(name: str, data: dict):
        return client.post(reverse(f"api:contact-{name}", args=[contact.pk]), data, content_type="application/json")

    assert post("restriction-place", {}).status_code == 400
    placed = post("restriction-place", {"reason": "Accuracy contested"})
    assert placed.status_code == 200 and placed.json()["restricted"] is True
    refused = post("restriction-lift", {})
    assert refused.status_code == 400
    assert "Tell the person first" in str(refused.json())
    assert post("restriction-notice", {"channel": "pigeon"}).status_code == 400
    assert post("restriction-notice", {"channel": "email"}).json()["restriction_lift_notified_at"] is not None
    lifted = post("restriction-lift", {"reason": "Checked"})
    assert lifted.status_code == 200 and lifted.json()["restricted"] is False
