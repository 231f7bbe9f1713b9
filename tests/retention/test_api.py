"""The retention API: the staff area's journeys (policy change, preview, approval, holds, archive) over REST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from core.models import AuditEvent
from crm.models import Contact
from retention.models import ArchiveAccess, LegalHold, PurgeRun, RetentionPolicy, RunStatus
from retention.services import policy_update, purge_policy_now

from ..crm.api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db


def test_dpo_previews_approves_and_the_run_purges_through_the_api(
    dpo_user, old_prospect, eager_celery, django_capture_on_commit_callbacks
):
    # given: a prospect policy never approved at its version, two expired prospects, one of them held
    policy = RetentionPolicy.objects.get(key="prospects")
    expired, held = old_prospect(), old_prospect()
    client = staff_api(dpo_user)
    hold = client.post(
        "/api/v1/retention/holds/",
        {"contact": held.pk, "reason": "Litigation", "ends_on": str(timezone.localdate() + timedelta(days=30))},
        format="json",
    )
    assert hold.status_code == 201, hold.content
    assert hold.json()["owner"] == dpo_user.username

    # when: the DPO previews, then approves
    preview = client.post(f"/api/v1/retention/policies/{policy.pk}/preview/")
    assert preview.status_code == 201
    run = preview.json()
    assert run["status"] == RunStatus.AWAITING_APPROVAL and run["expected"] == 1 and run["held"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(f"/api/v1/retention/runs/{run['id']}/approve/")

    # then: the run finished (eager worker), the held contact survives, the run reports counts per table
    assert approved.status_code == 200
    done = client.get(f"/api/v1/retention/runs/{run['id']}/").json()
    assert done["status"] == RunStatus.DONE and done["approved_by"] == dpo_user.username
    assert done["counts"]["crm.Contact"]["deleted"] == 1 and done["held"] == 1
    assert not Contact.objects.filter(pk=expired.pk).exists() and Contact.objects.filter(pk=held.pk).exists()
    again = client.post(f"/api/v1/retention/runs/{run['id']}/approve/")
    assert again.status_code == 400  # a finished run is not approved twice


def test_policy_change_raises_the_version_and_bad_values_are_field_errors(dpo_user):
    policy = RetentionPolicy.objects.get(key="prospects")
    client = staff_api(dpo_user)
    changed = client.patch(f"/api/v1/retention/policies/{policy.pk}/", {"period_months": 24}, format="json")
    assert changed.status_code == 200
    assert changed.json()["version"] == policy.version + 1 and changed.json()["needs_approval"] is True
    bad = client.patch(
        f"/api/v1/retention/policies/{policy.pk}/", {"period_months": -1, "end_action": "burn"}, format="json"
    )
    assert bad.status_code == 400 and {"period_months", "end_action"} <= set(bad.json())
    zero = client.patch(f"/api/v1/retention/policies/{policy.pk}/", {"period_months": 0}, format="json")
    assert zero.status_code == 400  # the model's constraint: a prospect policy needs a period
    assert RetentionPolicy.objects.get(pk=policy.pk).period_months == 24
    assert AuditEvent.objects.filter(action="retention.policy_changed").count() == 1


def test_policy_names_follow_the_language(dpo_user):
    client = staff_api(dpo_user)
    policy = RetentionPolicy.objects.get(key="prospects")
    english = client.get(f"/api/v1/retention/policies/{policy.pk}/").json()
    french = client.get(f"/api/v1/retention/policies/{policy.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert english["name"] == french["name"] == "Prospects (non-customers)"  # the stored value
    assert french["name_display"] == "Prospects (non-clients)"
    with override("fr"):
        assert str(policy) == "Prospects (non-clients)"


def test_auditor_and_keys_read_but_never_write(auditor_user):
    policy = RetentionPolicy.objects.get(key="prospects")
    auditor = staff_api(auditor_user)
    assert auditor.get("/api/v1/retention/policies/").status_code == 200
    assert auditor.patch(f"/api/v1/retention/policies/{policy.pk}/", {"period_months": 1}).status_code == 403
    assert auditor.post(f"/api/v1/retention/policies/{policy.pk}/preview/").status_code == 403
    _key, key = key_api("retention:read")
    assert key.get("/api/v1/retention/runs/").status_code == 200
    assert key.post(f"/api/v1/retention/policies/{policy.pk}/preview/").status_code == 403
    assert key.get("/api/v1/retention/archive/").status_code == 403
    _key, other = key_api("contacts:read")
    assert other.get("/api/v1/retention/policies/").status_code == 403


def test_hold_needs_one_target_and_a_future_end(dpo_user, contact):
    client = staff_api(dpo_user)
    neither = client.post("/api/v1/retention/holds/", {"reason": "x", "ends_on": "2099-01-01"}, format="json")
    assert neither.status_code == 400 and "non_field_errors" in neither.json()
    past = client.post(
        "/api/v1/retention/holds/", {"contact": contact.pk, "reason": "x", "ends_on": "2001-01-01"}, format="json"
    )
    assert past.status_code == 400 and "ends_on" in past.json()
    unknown = client.post(
        "/api/v1/retention/holds/", {"contact": 987654321, "reason": "x", "ends_on": "2099-01-01"}, format="json"
    )
    assert unknown.status_code == 400 and "contact" in unknown.json()
    assert not LegalHold.objects.exists()


def test_lifted_hold_leaves_the_list(dpo_user, contact):
    client = staff_api(dpo_user)
    hold = client.post(
        "/api/v1/retention/holds/", {"contact": contact.pk, "reason": "x", "ends_on": "2099-01-01"}, format="json"
    ).json()
    assert [h["id"] for h in client.get("/api/v1/retention/holds/").json()["results"]] == [hold["id"]]
    lifted = client.post(f"/api/v1/retention/holds/{hold['id']}/lift/")
    assert lifted.status_code == 200 and lifted.json()["lifted_at"]
    assert client.get("/api/v1/retention/holds/").json()["results"] == []


def test_archive_opens_only_with_a_reason_and_each_opening_is_logged(
    dpo_user, admin_role_user, prospects_policy, old_prospect
):
    policy = policy_update(policy=prospects_policy, archive_months=12)
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    contact = old_prospect(last_name="Archivedname")
    purge_policy_now(policy=RetentionPolicy.objects.get(pk=policy.pk))
    client = staff_api(dpo_user)
    listed = client.get("/api/v1/retention/archive/").json()["results"]
    assert [row["contact"] for row in listed] == [contact.pk]
    assert "Archivedname" not in str(listed)
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404  # RET-05: out of the API

    no_reason = client.post(f"/api/v1/retention/archive/{contact.pk}/open/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert not ArchiveAccess.objects.exists()

    opened = client.post(f"/api/v1/retention/archive/{contact.pk}/open/", {"reason": "Tax audit"}, format="json")
    assert opened.status_code == 200
    assert "Archivedname" in str(opened.json()["sections"])
    assert ArchiveAccess.objects.get().reason == "Tax audit"
    # The administrator operates purges but holds no archive permission.
    assert staff_api(admin_role_user).get("/api/v1/retention/archive/").status_code == 403
    assert client.post("/api/v1/retention/archive/424242/open/", {"reason": "x"}, format="json").status_code == 404


def test_runs_list_holds_no_personal_data(dpo_user, prospects_policy, old_prospect):
    old_prospect(last_name="Purgedname")
    purge_policy_now(policy=prospects_policy)
    body = staff_api(dpo_user).get("/api/v1/retention/runs/").content.decode()
    assert PurgeRun.objects.count() == 1 and "Purgedname" not in body
