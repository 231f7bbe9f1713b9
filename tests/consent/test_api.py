"""The consent API: "may I contact?" single and bulk, scopes, recording events, OpenAPI."""

from __future__ import annotations

import pytest

from access import roles
from consent import services
from consent.models import Action, ConsentEvent, Method

from ..crm.api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db


def test_check_by_email_says_allowed_with_the_basis(newsletter, wording_en, make_contact):
    contact = make_contact(emails=["lea@example.com"])
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    _key, client = key_api("consents:read")
    answer = client.get(
        "/api/v1/consents/check", {"email": " LEA@example.com", "purpose": "newsletter", "channel": "email"}
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "email": "LEA@example.com",
        "contact_id": contact.pk,
        "allowed": True,
        "reason": "consent",
        "lawful_basis": "consent",
    }


def test_check_answers_field_errors_never_a_server_error(newsletter):
    _key, client = key_api("consents:read")
    answer = client.get("/api/v1/consents/check", {"purpose": "nope", "channel": "fax"})
    assert answer.status_code == 400
    assert {"purpose", "channel"} <= set(answer.json())
    both = client.get(
        "/api/v1/consents/check", {"contact": 1, "email": "a@b.c", "purpose": "newsletter", "channel": "email"}
    )
    assert both.status_code == 400 and "contact" in both.json()


def test_keys_need_the_consents_read_scope():
    _key, client = key_api("contacts:read")
    assert client.get("/api/v1/consents/check", {"contact": 1}).status_code == 403


def test_bulk_check_answers_each_identifier_and_counts_denials(newsletter, wording_en, make_contact):
    contact = make_contact()
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    _key, client = key_api("consents:read")
    body = {
        "purpose": "newsletter",
        "channel": "email",
        "identifiers": [{"contact": contact.pk}, {"email": "who@example.com"}, {"contact": 424242}],
    }
    answer = client.post("/api/v1/consents/check", body, format="json")
    assert answer.status_code == 200
    data = answer.json()
    assert [row["allowed"] for row in data["results"]] == [True, False, False]
    assert data["denied"] == {"unknown": 2}


def test_bulk_check_refuses_more_than_10000_identifiers(newsletter):
    _key, client = key_api("consents:read")
    body = {"purpose": "newsletter", "channel": "email", "identifiers": [{"contact": 1}] * 10_001}
    answer = client.post("/api/v1/consents/check", body, format="json")
    assert answer.status_code == 400 and "identifiers" in answer.json()


def test_recording_a_consent_needs_write_scope_and_a_wording(newsletter, wording_en, make_contact):
    contact = make_contact()
    _reader_key, reader = key_api("consents:read", name="reader")
    body = {"contact": contact.pk, "purpose": "newsletter", "channel": "email", "action": "given"}
    assert reader.post("/api/v1/consents/events/", body, format="json").status_code == 403
    key, writer = key_api("consents:write", "consents:read", name="writer")
    missing = writer.post("/api/v1/consents/events/", body, format="json")
    assert missing.status_code == 400 and "wording" in missing.json()
    created = writer.post(
        "/api/v1/consents/events/", {**body, "wording": wording_en.pk, "ip_address": "192.0.2.1"}, format="json"
    )
    assert created.status_code == 201, created.json()
    event = ConsentEvent.objects.get(pk=created.json()["id"])
    assert (event.api_key_id, event.recorded_by_kind, event.ip_address) == (key.pk, "api_key", "192.0.2.1")
    assert event.awaits_confirmation  # an API consent on a double opt-in purpose waits for the link


def test_recording_an_objection_through_the_api(newsletter, make_contact):
    contact = make_contact()
    _key, writer = key_api("consents:write")
    body = {"contact": contact.pk, "purpose": "newsletter", "channel": "email", "action": "objected"}
    assert writer.post("/api/v1/consents/events/", body, format="json").status_code == 201
    assert ConsentEvent.objects.filter(contact=contact, action=Action.OBJECTED).exists()


@pytest.mark.parametrize(
    ("role", "can_check"),
    [(roles.SALES, True), (roles.MARKETING, True), (roles.AUDITOR, True), (roles.SUPPORT, False)],
)
def test_staff_check_follows_their_permissions(role, can_check, cast, newsletter):
    answer = staff_api(cast[role]).get(
        "/api/v1/consents/check", {"contact": 1, "purpose": "newsletter", "channel": "email"}
    )
    assert answer.status_code == (200 if can_check else 403)


def test_the_schema_documents_the_check(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/consents/check" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/consents/check"])


def test_bulk_check_names_each_bad_identifier_by_position(newsletter):
    _key, client = key_api("consents:read")
    body = {
        "purpose": "newsletter",
        "channel": "email",
        "identifiers": [{"contact": 1}, {"phone": "x"}, {"contact": -2}],
    }
    answer = client.post("/api/v1/consents/check", body, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["identifiers"]) == {"1", "2"}


def test_sales_reach_only_the_consents_of_the_contacts_they_own(cast, newsletter, wording_en, make_contact):
    sales = cast[roles.SALES]
    own, other = make_contact(owner=sales), make_contact()
    for contact in (own, other):
        services.consent_give(
            contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en
        )
    client = staff_api(sales)
    ask = {"purpose": "newsletter", "channel": "email"}
    assert client.get("/api/v1/consents/check", {**ask, "contact": own.pk}).json()["reason"] == "consent"
    assert client.get("/api/v1/consents/check", {**ask, "contact": other.pk}).json()["reason"] == "unknown"
    listed = {row["contact"] for row in client.get("/api/v1/consents/events/").json()["results"]}
    assert listed == {own.pk}
    body = {"contact": other.pk, "purpose": "newsletter", "channel": "email", "action": "withdrawn"}
    refused = client.post("/api/v1/consents/events/", body, format="json")
    assert refused.status_code == 400 and "contact" in refused.json()


def test_event_list_refuses_a_bad_contact_filter_or_cursor_and_writes_take_json_types(newsletter, make_contact):
    contact = make_contact(emails=["ines@example.com"])
    _key, client = key_api("consents:read", "consents:write")
    assert client.get("/api/v1/consents/events/", {"contact": "null"}).json() == {
        "contact": ["Give one contact id, a whole number."]
    }
    assert client.get("/api/v1/consents/events/", {"contact": contact.pk}).status_code == 200
    assert list(client.get("/api/v1/consents/events/", {"cursor": "x"}).json()) == ["cursor"]
    body = {"contact": str(contact.pk), "purpose": "newsletter", "channel": "email", "action": "withdrawn"}
    answer = client.post("/api/v1/consents/events/", body, format="json")
    assert answer.status_code == 400 and "contact" in answer.json()


def test_a_call_planned_at_13_30_is_blocked(prospection, make_contact):
    consumer = make_contact(kind="consumer", status="customer")  # a current contract: callable in the slots
    _key, client = key_api("consents:read")
    query = {"contact": consumer.pk, "purpose": "offers", "channel": "phone"}
    lunch = client.get("/api/v1/consents/check", {**query, "at": "2026-09-08T13:30:00+02:00"}).json()
    morning = client.get("/api/v1/consents/check", {**query, "at": "2026-09-08T11:00:00+02:00"}).json()
    assert (lunch["allowed"], lunch["reason"]) == (False, "outside_call_hours")
    assert morning["allowed"] is True
    bad = client.get("/api/v1/consents/check", {**query, "at": "tomorrow"})
    assert bad.status_code == 400 and "at" in bad.json()
