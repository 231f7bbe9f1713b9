"""An export kept inside the organisation is logged as a disclosure but is no Art. 19 recipient."""

from __future__ import annotations

import pytest

from core.actors import Actor, acting_as
from core.models import AuditEvent
from crm.models import Disclosure, RecipientNotification
from crm.services import contact_restriction_place, contact_update
from tests.factories import ContactFactory

from .test_export import EXPORT, PARTNER, TERMS

pytestmark = pytest.mark.django_db


def test_an_internal_export_is_logged_but_opens_no_task_while_a_partner_export_does(dpo_user, client):
    # given one contact exported inside the organisation, then to Partner X
    contact = ContactFactory(first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    client.force_login(dpo_user)
    assert client.post(EXPORT, {**TERMS, "q": "ada@example.com"}).status_code == 200
    assert client.post(EXPORT, {**PARTNER, "q": "ada@example.com"}).status_code == 200

    # when the e-mail is corrected and the contact restricted
    with acting_as(Actor.for_user(dpo_user)):
        contact_update(contact=contact, emails=["ada.lovelace@example.com"])
        contact_restriction_place(contact=contact, reason="The person contests the accuracy")

    # then the disclosure log keeps both exports, and only Partner X has tasks
    assert sorted(Disclosure.objects.values_list("recipient", flat=True)) == ["Partner X", "internal: dpo"]
    assert set(RecipientNotification.objects.values_list("recipient", flat=True)) == {"Partner X"}
    opened = AuditEvent.objects.filter(action="art19.task_opened", subject_id=contact.pk)
    assert {event.data["recipient"] for event in opened} == {"Partner X"}


def test_the_contact_page_says_an_internal_recipient_is_not_notified(dpo_user, client):
    contact = ContactFactory(emails=["grace@example.com"])
    client.force_login(dpo_user)
    client.post(EXPORT, {**TERMS, "q": "grace@example.com"})

    html = client.get(f"/contacts/{contact.pk}/").content.decode()

    assert 'data-recipient="internal: dpo"' in html and "data-internal-recipient" in html


def test_only_the_internal_prefix_marks_an_internal_recipient():
    assert Disclosure.is_internal("internal: sales")
    assert not Disclosure.is_internal("Internal Affairs Ltd")
    assert not Disclosure.is_internal("Partner X")
