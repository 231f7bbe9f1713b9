"""What a write answers, and what it logs: personal data only to a caller who may read it, and logged as a read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.models import ContactAccess, Disclosure, Interaction
from crm.services import contact_delete, interaction_create

from ..factories import ContactFactory
from .api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db

CONTACTS, INTERACTIONS = "/api/v1/contacts/", "/api/v1/interactions/"


@pytest.fixture
def contact():
    return ContactFactory(first_name="Ada", last_name="Lovelace", emails=["ada@example.org"], notes="")


def _nothing_logged() -> bool:
    return not (Disclosure.objects.exists() or ContactAccess.objects.exists())


def test_a_write_only_key_reads_nothing_through_an_empty_patch(contact):
    _key, writer = key_api("contacts:write", name="Form sync")

    response = writer.patch(f"{CONTACTS}{contact.pk}/", {}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"id", "created_at", "updated_at"}
    assert "Ada" not in response.content.decode() and "ada@example.org" not in response.content.decode()
    assert _nothing_logged()


def test_a_write_only_key_gets_a_receipt_for_a_creation_and_a_restore(contact):
    _key, writer = key_api("contacts:write", name="Form sync")
    contact_delete(contact=contact)

    created = writer.post(CONTACTS, {"first_name": "Bo", "last_name": "B", "emails": ["bo@example.org"]}, format="json")
    restored = writer.post(f"{CONTACTS}{contact.pk}/restore/", format="json")

    assert created.status_code == 201 and set(created.json()) == {"id", "created_at", "updated_at"}
    assert restored.status_code == 200 and set(restored.json()) == {"id", "created_at", "updated_at"}
    assert _nothing_logged()


def test_a_key_that_may_read_gets_the_record_and_the_answer_is_logged_as_a_read(contact):
    _key, client = key_api("contacts:read", "contacts:write", name="CRM sync")

    response = client.patch(f"{CONTACTS}{contact.pk}/", {"job_title": "Engineer"}, format="json")

    assert response.status_code == 200 and response.json()["emails"] == ["ada@example.org"]
    access = ContactAccess.objects.get()
    assert (access.contact_id, access.channel, access.actor_kind) == (contact.pk, "api", "api_key")
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.channel) == ("CRM sync", "api")
    assert list(disclosure.entries.values_list("contact_id", flat=True)) == [contact.pk]
    assert set(disclosure.fields) == set(response.json())


def test_a_creation_answer_to_a_reading_key_is_a_disclosure_of_the_new_contact():
    _key, client = key_api("contacts:read", "contacts:write", name="CRM sync")

    response = client.post(CONTACTS, {"first_name": "Cy", "last_name": "C"}, format="json")

    assert response.status_code == 201
    assert list(Disclosure.objects.get().entries.values_list("contact_id", flat=True)) == [response.json()["id"]]
    assert ContactAccess.objects.get().contact_id == response.json()["id"]


def test_a_staff_write_answer_is_in_the_access_log_but_is_no_disclosure(contact, dpo_user):
    response = staff_api(dpo_user).patch(f"{CONTACTS}{contact.pk}/", {}, format="json")

    assert response.status_code == 200 and response.json()["first_name"] == "Ada"
    assert ContactAccess.objects.get().actor_kind == "user"
    assert not Disclosure.objects.exists()


def _interaction(contact) -> Interaction:
    return interaction_create(contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body="Secret")


def test_an_interaction_writer_without_interactions_read_gets_no_body(contact):
    interaction = _interaction(contact)
    _key, writer = key_api("contacts:read", "interactions:write", name="Call centre")

    response = writer.patch(f"{INTERACTIONS}{interaction.pk}/", {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"id": interaction.pk, "contact": contact.pk, "created_at": response.json()["created_at"]}
    assert "Secret" not in response.content.decode()
    assert not Disclosure.objects.exists()


def test_an_interaction_writer_that_may_read_gets_the_body_and_it_is_a_disclosure(contact):
    interaction = _interaction(contact)
    _key, client = key_api("contacts:read", "interactions:read", "interactions:write", name="Call centre")

    response = client.patch(f"{INTERACTIONS}{interaction.pk}/", {"subject": "Call back"}, format="json")

    assert response.status_code == 200 and response.json()["body"] == "Secret"
    disclosure = Disclosure.objects.get()
    assert "interaction.body" in disclosure.fields
    assert list(disclosure.entries.values_list("contact_id", flat=True)) == [contact.pk]
