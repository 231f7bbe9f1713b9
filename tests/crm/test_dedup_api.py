"""The duplicate-review API: candidates sorted by score, field errors, merge, dismiss, undo."""

from __future__ import annotations

import pytest

from crm.models import Contact, DuplicateCandidate

from ..factories import ContactFactory
from .api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidates() -> list[DuplicateCandidate]:
    a, b, c = (ContactFactory(last_name=name) for name in ("Durand", "Durant", "Dupont"))
    return [
        DuplicateCandidate.objects.create(contact_a=a, contact_b=b, score=12.5, reasons=[["email_same", 5.0]]),
        DuplicateCandidate.objects.create(contact_a=a, contact_b=c, score=8.0, reasons=[["first_name_same", 3.0]]),
    ]


def test_support_lists_candidates_most_likely_first_with_their_reasons(support_user, candidates):
    response = staff_api(support_user).get("/api/v1/duplicates/")

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["score"] for row in rows] == [12.5, 8.0]
    assert rows[0]["reasons"] == [{"code": "email_same", "label": "same e-mail address", "contribution": 5.0}]


def test_merge_answers_field_errors_then_merges_and_undoes(support_user, candidates):
    pair = candidates[0]
    api = staff_api(support_user)
    url = f"/api/v1/duplicates/{pair.pk}/merge/"

    outsider = api.post(url, {"survivor": 999999}, format="json")
    assert (outsider.status_code, outsider.json()) == (400, {"survivor": ["Give one of the two ids of the pair."]})
    bad = api.post(url, {"survivor": pair.contact_a_id, "choices": {"city": "maybe"}}, format="json")
    assert bad.status_code == 400 and "city" in bad.json()["choices"]
    unknown = api.post(url, {"survivor": pair.contact_a_id, "choices": {"notes": "merged"}}, format="json")
    assert unknown.status_code == 400 and "notes" in str(unknown.json()["choices"])

    merged = api.post(url, {"survivor": pair.contact_b_id, "choices": {"last_name": "merged"}}, format="json")
    assert merged.status_code == 201, merged.content
    assert Contact.objects.get(pk=pair.contact_b_id).last_name == "Durand"
    # the other pair named the merged-away record: it now names the survivor, still to review
    queue = api.get("/api/v1/duplicates/").json()["results"]
    assert [(row["id"], row["contact_a"], row["contact_b"]) for row in queue] == [
        (candidates[1].pk, pair.contact_b_id, candidates[1].contact_b_id)
    ]

    undone = api.post(f"/api/v1/merges/{merged.json()['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Contact.objects.get(pk=pair.contact_b_id).last_name == "Durant"
    assert [row["id"] for row in api.get("/api/v1/duplicates/").json()["results"]] == [c.pk for c in candidates]
    assert api.post(f"/api/v1/merges/{merged.json()['id']}/undo/").status_code == 400


def test_dismiss_is_remembered(support_user, candidates):
    response = staff_api(support_user).post(f"/api/v1/duplicates/{candidates[1].pk}/dismiss/")

    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert [row["id"] for row in staff_api(support_user).get("/api/v1/duplicates/").json()["results"]] == [
        candidates[0].pk
    ]


def test_sales_and_api_keys_are_refused(sales_user, candidates):
    assert staff_api(sales_user).get("/api/v1/duplicates/").status_code == 403
    _key, client = key_api("contacts:read", "contacts:write")
    assert client.get("/api/v1/duplicates/").status_code == 403
