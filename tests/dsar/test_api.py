"""The requests API: register, read, the queue's filters, matches, extension and refusal, errors by field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dsar.models import Request, RequestStatus
from tests.crm.api_clients import staff_api
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def register(api, **fields):
    body = {
        "rights": ["access"],
        "name": "Jeanne Martin",
        "email": "jeanne@example.org",
        "channel": "post",
        "received_at": (timezone.now() - timedelta(days=3)).isoformat(),
        **fields,
    }
    return api.post("/api/v1/requests/", body, format="json")


def test_support_registers_a_request_by_post_dated_from_its_receipt(support_user):
    holder = ContactFactory(emails=["jeanne@example.org"])
    response = register(staff_api(support_user))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("R") and body["status"] == "open"
    assert body["due_date"] == body["original_due_date"]
    case = Request.objects.get(pk=body["id"])
    assert list(case.matches.values_list("contact_id", flat=True)) == [holder.pk]
    timeline = staff_api(support_user).get(f"/api/v1/requests/{case.pk}/events/").json()
    assert [event["kind"] for event in timeline][:2] == ["received", "matched"]


def test_bad_input_gets_field_errors(support_user):
    response = register(
        staff_api(support_user),
        rights=["everything"],
        channel="web",
        email="nope",
        received_at=(timezone.now() + timedelta(days=2)).isoformat(),
    )
    assert response.status_code == 400
    assert {"rights", "channel"} <= set(response.json())
    response = register(
        staff_api(support_user), email="nope", received_at=(timezone.now() + timedelta(days=2)).isoformat()
    )
    assert response.status_code == 400 and {"email", "received_at"} <= set(response.json())


def test_the_queue_filters_like_the_staff_queue(dpo_user):
    api = staff_api(dpo_user)
    old = register(api, received_at=(timezone.now() - timedelta(days=40)).isoformat(), rights=["erasure"]).json()
    new = register(api, rights=["access"]).json()
    overdue = api.get("/api/v1/requests/?overdue=true").json()["results"]
    assert [row["id"] for row in overdue] == [old["id"]] and overdue[0]["overdue"] is True
    erasure = api.get("/api/v1/requests/?right=erasure").json()["results"]
    assert [row["id"] for row in erasure] == [old["id"]]
    assert api.get("/api/v1/requests/?status=nonsense").status_code == 400
    assert {row["id"] for row in api.get("/api/v1/requests/?status=active").json()["results"]} == {old["id"], new["id"]}
    amber = register(api, received_at=(timezone.now() - timedelta(days=25)).isoformat()).json()
    assert [row["id"] for row in api.get("/api/v1/requests/?at_risk=true").json()["results"]] == [amber["id"]]


def test_only_the_dpo_extends_and_refuses_and_a_refusal_needs_its_ground(dpo_user, support_user):
    case = register(staff_api(support_user)).json()
    assert staff_api(support_user).post(f"/api/v1/requests/{case['id']}/refuse/", {}, format="json").status_code == 403
    api = staff_api(dpo_user)
    missing = api.post(f"/api/v1/requests/{case['id']}/refuse/", {"explanation": "x"}, format="json")
    assert missing.status_code == 400 and "ground" in missing.json()
    extended = api.post(
        f"/api/v1/requests/{case['id']}/extend/", {"category": "complexity", "reason": "Four systems."}, format="json"
    )
    assert extended.status_code == 200 and extended.json()["extended_at"]
    again = api.post(f"/api/v1/requests/{case['id']}/extend/", {"category": "number", "reason": "x"}, format="json")
    assert again.status_code == 400
    refused = api.post(
        f"/api/v1/requests/{case['id']}/refuse/",
        {"ground": "third_party_rights", "explanation": "Others' data."},
        format="json",
    )
    assert refused.status_code == 200 and refused.json()["status"] == RequestStatus.REFUSED


def test_staff_match_a_contact_they_can_reach(support_user):
    case = register(staff_api(support_user), email="").json()
    other = ContactFactory(emails=["jeanne.martin@example.org"])
    api = staff_api(support_user)
    added = api.post(f"/api/v1/requests/{case['id']}/matches/", {"contact": other.pk}, format="json")
    assert added.status_code == 201 and added.json()["method"] == "staff"
    assert api.post(f"/api/v1/requests/{case['id']}/matches/", {"contact": other.pk}, format="json").status_code == 400
    assert api.post(f"/api/v1/requests/{case['id']}/matches/", {"contact": 999999}, format="json").status_code == 400
    assert [m["contact"] for m in api.get(f"/api/v1/requests/{case['id']}/matches/").json()] == [other.pk]


def test_a_request_is_assigned_only_to_someone_who_may_handle_requests(support_user, sales_user, dpo_user):
    refused = register(staff_api(support_user), assignee=sales_user.pk)
    assert refused.status_code == 400 and "assignee" in refused.json()
    assert register(staff_api(support_user), assignee=dpo_user.pk).json()["assignee"] == dpo_user.get_username()
