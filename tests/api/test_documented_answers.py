"""Answers the fuzzing does not reach, checked against the documented schema: a write-only key's receipts."""

from __future__ import annotations

import pytest
from schemathesis.checks import response_schema_conformance, status_code_conformance

from access.apikeys import api_key_create
from crm.services import interaction_create

from ..factories import ContactFactory
from .test_schemathesis import schema

pytestmark = pytest.mark.django_db(transaction=True)


def _key(*scopes: str) -> dict[str, str]:
    _key, plaintext = api_key_create(name="Form sync", scopes=list(scopes))
    return {"X-API-Key": plaintext}


def _call(path: str, method: str, headers: dict[str, str], body: dict, **path_parameters: int):
    case = schema[path][method].Case(path_parameters=path_parameters or None, body=body, headers=headers)
    response = case.call()
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])
    return response


def test_a_write_only_keys_contact_receipts_match_the_schema():
    contact = ContactFactory()
    headers = _key("contacts:write")

    created = _call("/api/v1/contacts/", "POST", headers, {"first_name": "Bo", "last_name": "B"})
    patched = _call("/api/v1/contacts/{id}/", "PATCH", headers, {}, id=contact.pk)

    assert created.status_code == 201 and set(created.json()) == {"id", "created_at", "updated_at"}
    assert patched.status_code == 200 and set(patched.json()) == {"id", "created_at", "updated_at"}


def test_a_write_only_keys_interaction_receipt_matches_the_schema():
    contact = ContactFactory()
    interaction = interaction_create(contact=contact, kind="call", occurred_at=contact.created_at, subject="Call")

    response = _call(
        "/api/v1/interactions/{id}/", "PATCH", _key("contacts:read", "interactions:write"), {}, id=interaction.pk
    )

    assert response.status_code == 200 and set(response.json()) == {"id", "contact", "created_at"}
