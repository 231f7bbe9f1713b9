"""The interactions endpoint (/api/v1/interactions/): only for roles and keys that may read interactions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Contact, Disclosure, Interaction
from crm.services import interaction_create

from ..factories import ContactFactory
from .api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db

URL = "/api/v1/interactions/"


def call(contact: Contact, **fields) -> dict:
    now = timezone.now().isoformat()
    return {"contact": contact.pk, "kind": "call", "occurred_at": now, "subject": "Call", **fields}


def record(contact: Contact, days_ago: int = 0, kind: str = "call") -> Interaction:
    when = timezone.now() - timedelta(days=days_ago)
    return interaction_create(contact=contact, kind=kind, occurred_at=when, subject=f"{kind} {days_ago}")


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_support_records_an_interaction_as_its_author(support_user):
    contact = ContactFactory()

    response = staff_api(support_user).post(URL, call(contact, body="Asked for a quote"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["author"] == support_user.pk and response.json()["body"] == "Asked for a quote"
    contact.refresh_from_db()
    assert contact.last_interaction_at is not None


def test_a_missing_kind_is_a_note(support_user):
    payload = call(ContactFactory())
    del payload["kind"]
    response = staff_api(support_user).post(URL, payload, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "note"


def test_marketing_gets_403_on_interactions(marketing_user):
    contact = ContactFactory()
    interaction = record(contact)
    client = staff_api(marketing_user)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{interaction.pk}/").status_code == 403
    assert client.post(URL, call(contact), format="json").status_code == 403


def test_sales_reach_only_the_interactions_of_their_contacts(sales_user, dpo_user):
    mine = ContactFactory(owner=sales_user)
    theirs = ContactFactory(owner=dpo_user)
    own_interaction = record(mine)
    other_interaction = record(theirs)
    client = staff_api(sales_user)

    assert listed_ids(client.get(URL)) == [own_interaction.pk]
    assert client.get(f"{URL}{other_interaction.pk}/").status_code == 404
    refused = client.post(URL, call(theirs), format="json")
    assert refused.status_code == 400
    assert f"no contact with id {theirs.pk}" in refused.json()["contact"][0]
    assert client.post(URL, call(mine), format="json").status_code == 201
    assert client.delete(f"{URL}{own_interaction.pk}/").status_code == 403  # Sales may not delete interactions


def test_auditors_read_interactions_but_never_write(auditor_user):
    contact = ContactFactory()
    interaction = record(contact)
    client = staff_api(auditor_user)

    assert listed_ids(client.get(URL)) == [interaction.pk]
    assert client.post(URL, call(contact), format="json").status_code == 403
    assert client.patch(f"{URL}{interaction.pk}/", {"subject": "x"}, format="json").status_code == 403


def test_no_interaction_on_a_restricted_contact(dpo_user):
    contact = ContactFactory()
    interaction = record(contact)
    Contact.objects.filter(pk=contact.pk).update(restricted=True, restricted_at=timezone.now())
    client = staff_api(dpo_user)

    created = client.post(URL, call(contact), format="json")
    changed = client.patch(f"{URL}{interaction.pk}/", {"subject": "Changed"}, format="json")

    assert created.status_code == 400 and "restricted" in created.json()["contact"][0]
    assert changed.status_code == 423
    assert client.get(f"{URL}{interaction.pk}/").status_code == 200  # still readable by the DPO


def test_listing_interactions_leaves_the_contacts_notes_encrypted(dpo_user):
    interaction = record(ContactFactory(notes="Prefers calls"))
    with CaptureQueriesContext(connection) as queries:
        response = staff_api(dpo_user).get(URL)
    assert listed_ids(response) == [interaction.pk]
    assert not [q for q in queries.captured_queries if '"crm_contact"."notes"' in q["sql"]]


def test_update_keeps_the_contact_and_refreshes_the_last_interaction(dpo_user):
    contact, other = ContactFactory(), ContactFactory()
    interaction = record(contact, days_ago=10)
    later = timezone.now() - timedelta(days=1)
    client = staff_api(dpo_user)

    moved = client.patch(f"{URL}{interaction.pk}/", {"contact": other.pk}, format="json")
    response = client.patch(
        f"{URL}{interaction.pk}/", {"contact": contact.pk, "occurred_at": later.isoformat()}, format="json"
    )

    assert moved.status_code == 400 and list(moved.json()) == ["contact"]
    assert response.status_code == 200, response.content
    interaction.refresh_from_db()
    contact.refresh_from_db()
    assert interaction.contact == contact and contact.last_interaction_at == later


def test_delete_removes_the_interaction(dpo_user):
    contact = ContactFactory()
    interaction = record(contact)

    assert staff_api(dpo_user).delete(f"{URL}{interaction.pk}/").status_code == 204
    assert not Interaction.objects.filter(pk=interaction.pk).exists()
    contact.refresh_from_db()
    assert contact.last_interaction_at is None


def test_filters_by_contact_kind_and_date_range(dpo_user):
    contact, other = ContactFactory(), ContactFactory()
    recent_call = record(contact, days_ago=1)
    old_call = record(contact, days_ago=40)
    meeting = record(contact, days_ago=2, kind="meeting")
    record(other, days_ago=1)
    client = staff_api(dpo_user)
    month_ago = (timezone.now() - timedelta(days=30)).isoformat()

    assert listed_ids(client.get(URL, {"contact": contact.pk})) == [recent_call.pk, meeting.pk, old_call.pk]
    assert listed_ids(client.get(URL, {"contact": contact.pk, "kind": "call"})) == [recent_call.pk, old_call.pk]
    assert listed_ids(client.get(URL, {"contact": contact.pk, "occurred_after": month_ago})) == [
        recent_call.pk,
        meeting.pk,
    ]
    assert listed_ids(client.get(URL, {"contact": contact.pk, "occurred_before": month_ago})) == [old_call.pk]


def test_keys_need_the_interaction_scopes():
    contact = ContactFactory()
    interaction = record(contact)
    _, contacts_only = key_api("contacts:read", "contacts:write")
    _, reader = key_api("contacts:read", "interactions:read", name="Helpdesk")

    assert contacts_only.get(URL).status_code == 403
    assert contacts_only.post(URL, call(contact), format="json").status_code == 403
    assert listed_ids(reader.get(URL)) == [interaction.pk]
    assert reader.post(URL, call(contact), format="json").status_code == 403
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == "Helpdesk" and "interaction.body" in disclosure.fields
    assert list(disclosure.entries.values_list("contact_id", flat=True)) == [contact.pk]


def test_a_key_records_an_interaction_attributed_to_the_key():
    contact = ContactFactory()
    key, writer = key_api("contacts:read", "interactions:write", name="Call centre")

    response = writer.post(URL, call(contact), format="json")

    assert response.status_code == 201, response.content
    assert Interaction.objects.get(pk=response.json()["id"]).author is None
    row = Interaction.objects.get(pk=response.json()["id"]).history.get()
    assert row.history_actor_kind == "api_key" and key.prefix in row.history_actor_label
