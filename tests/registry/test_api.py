"""Read access to the register and the breach register through the API (registry:read scope)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from registry.services import breach_record

from ..crm.api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(make_activity, dpo_user):
    activity = make_activity(approver=dpo_user)
    breach = breach_record(
        data={"title": "Lost laptop", "aware_at": timezone.now() - timedelta(hours=80), "description": "Lost"}
    )
    return activity, breach


def test_a_key_with_registry_read_reads_activities_and_breaches(register):
    activity, breach = register
    _key, client = key_api("registry:read")
    activities = client.get("/api/v1/processing-activities/").json()["results"]
    assert [a["reference"] for a in activities] == [activity.reference]
    assert activities[0]["data_categories"][0]["retention"] == "3 years after the last contact"
    assert activities[0]["approved_by"] == "dpo"
    detail = client.get(f"/api/v1/breaches/{breach.pk}/").json()
    assert detail["late"] is True and detail["reference"] == breach.reference


def test_a_key_without_the_scope_is_refused_and_nothing_is_writable(register):
    _key, client = key_api("contacts:read")
    assert client.get("/api/v1/processing-activities/").status_code == 403
    _key, reader = key_api("registry:read", name="Auditor tool")
    assert reader.post("/api/v1/breaches/", {"title": "x"}, format="json").status_code in (403, 405)


def test_staff_without_the_registry_permissions_are_refused(register, sales_user, auditor_user):
    assert staff_api(sales_user).get("/api/v1/breaches/").status_code == 403
    assert staff_api(auditor_user).get("/api/v1/breaches/").status_code == 200


def test_the_schema_documents_the_registry_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/processing-activities/" in schema and "/api/v1/breaches/{id}/" in schema


def test_a_bad_cursor_is_a_field_error_and_writes_are_not_allowed(register):
    _key, client = key_api("registry:read")
    answer = client.get("/api/v1/breaches/", {"cursor": "Joint controller"})
    assert answer.status_code == 400
    assert list(answer.json()) == ["cursor"]
    assert client.delete("/api/v1/processing-activities/").status_code == 405
