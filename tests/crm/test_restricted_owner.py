"""The owner of a restricted contact is told it is restricted, and by whom to ask, without seeing its data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.actors import Actor, acting_as
from crm.services import contact_restriction_place
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_restricted(sales_user, dpo_user):
    contact = ContactFactory(
        first_name="Rosalind", last_name="Franklin", owner=sales_user, emails=["rosalind@example.com"]
    )
    with acting_as(Actor.for_user(dpo_user)):
        return contact_restriction_place(contact=contact, reason="Accuracy contested")


def test_the_owner_is_told_the_contact_is_restricted_and_whom_to_ask(role_client, owned_restricted, dpo_user):
    response = role_client("Sales").get(reverse("crm:contact_detail", args=[owned_restricted.pk]))

    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="contact-restricted"' in html and "Art. 18" in html
    assert dpo_user.get_username() in html  # the DPO holds crm.restrict_contact
    for data in ("Rosalind", "Franklin", "rosalind@example.com", "Accuracy contested"):
        assert data not in html


def test_the_owner_list_says_how_many_of_their_contacts_are_hidden(role_client, owned_restricted, sales_user):
    ContactFactory(owner=sales_user)
    html = role_client("Sales").get(reverse("crm:contact_list")).content.decode()
    assert 'id="restricted-hidden"' in html
    assert "One of your contacts is restricted" in html
    assert "Rosalind" not in html


def test_the_dpo_who_sees_restricted_contacts_gets_the_record_and_no_notice(role_client, owned_restricted):
    client = role_client("DPO")
    assert client.get(reverse("crm:contact_detail", args=[owned_restricted.pk])).status_code == 200
    assert 'id="restricted-hidden"' not in client.get(reverse("crm:contact_list")).content.decode()


def test_a_contact_out_of_reach_stays_not_found(role_client, dpo_user):
    # another owner's restricted contact is none of Sales' business: a plain 404, as for an unknown id
    contact = ContactFactory(owner=dpo_user)
    with acting_as(Actor.for_user(dpo_user)):
        contact_restriction_place(contact=contact, reason="Objection pending")
    client = role_client("Sales")
    assert client.get(reverse("crm:contact_detail", args=[contact.pk])).status_code == 404
    assert client.get(reverse("crm:contact_detail", args=[999_999])).status_code == 404
