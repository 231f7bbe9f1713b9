from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from crm.models import Contact
from retention.models import LegalHold, PurgeRun, RetentionPolicy, RunStatus
from retention.services import purge_run_batch

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_area_lists_policies_with_their_legal_reference(role_client):
    page = role_client("DPO").get(reverse("retention:index"))
    assert page.status_code == 200
    assert "3 years from collection" in page.content.decode()
    assert 'data-policy="prospects"' in page.content.decode()


def test_dpo_previews_then_approves_and_the_run_purges(role_client, old_prospect, django_capture_on_commit_callbacks):
    kept = ContactFactory(status="prospect")
    expired = old_prospect(last_name="Zylberstein")
    client = role_client("DPO")
    policy = RetentionPolicy.objects.get(key="prospects")

    preview = client.post(reverse("retention:policy_preview", args=[policy.pk]), follow=True)
    run = PurgeRun.objects.get()
    assert run.status == RunStatus.AWAITING_APPROVAL and run.expected == 1
    assert "Zylberstein" in preview.content.decode()  # the sample, while the contact exists

    queued = []
    with pytest.MonkeyPatch.context() as patch:  # the task is tested through a worker elsewhere; here, its body
        patch.setattr("retention.tasks.purge_run_execute.delay", queued.append)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("retention:run_approve", args=[run.pk]))
    assert queued == [run.pk]
    while purge_run_batch(run_id=run.pk):
        pass

    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.processed == 1
    assert list(Contact.objects.values_list("pk", flat=True)) == [kept.pk]
    page = client.get(reverse("retention:run_detail", args=[run.pk])).content.decode()
    assert 'data-table="crm.Contact"' in page and "Zylberstein" not in page
    assert AuditEvent.objects.filter(action="retention.purge_approved", object_id=str(run.pk)).exists()
    assert not expired.__class__.objects.filter(pk=expired.pk).exists()


def test_only_the_dpo_approves(role_client, old_prospect):
    old_prospect()
    policy = RetentionPolicy.objects.get(key="prospects")
    role_client("Administrator").post(reverse("retention:policy_preview", args=[policy.pk]))
    run = PurgeRun.objects.get()

    answer = role_client("Administrator").post(reverse("retention:run_approve", args=[run.pk]))

    assert answer.status_code == 403
    assert Contact.objects.count() == 1


def test_policy_form_errors_are_field_level(role_client):
    policy = RetentionPolicy.objects.get(key="prospects")
    page = role_client("DPO").post(
        reverse("retention:policy_edit", args=[policy.pk]),
        {"name": "", "category": "identity", "target": "prospects", "period_months": "-1", "start_event": "x"},
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert {"name", "period_months", "start_event", "end_action", "legal_reference"} <= set(form.errors)


def test_policy_edit_raises_the_version(role_client):
    policy = RetentionPolicy.objects.get(key="prospects")
    data = {
        "name": policy.name,
        "category": policy.category,
        "target": policy.target,
        "period_months": 48,
        "period_days": 0,
        "start_event": policy.start_event,
        "archive_months": 0,
        "end_action": policy.end_action,
        "enabled": "on",
        "legal_reference": policy.legal_reference,
    }
    answer = role_client("DPO").post(reverse("retention:policy_edit", args=[policy.pk]), data)
    assert answer.status_code == 302
    policy.refresh_from_db()
    assert (policy.period_months, policy.version) == (48, 2)
    assert policy.history.first().history_user.username == "dpo"


def test_legal_hold_form(role_client):
    contact = ContactFactory()
    client = role_client("DPO")
    url = reverse("retention:hold_create")

    both = client.post(url, {"reason": "x", "ends_on": timezone.localdate().isoformat()})
    assert both.status_code == 200 and "Choose a contact or an organisation" in both.content.decode()
    unknown = client.post(url, {"contact": 999999, "reason": "x", "ends_on": timezone.localdate().isoformat()})
    assert "No contact has this id." in unknown.content.decode()

    ends = (timezone.localdate() + timedelta(days=9)).isoformat()
    assert client.post(url, {"contact": contact.pk, "reason": "Litigation", "ends_on": ends}).status_code == 302
    hold = LegalHold.objects.get()
    assert hold.owner.username == "dpo"
    client.post(reverse("retention:hold_lift", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.lifted_at is not None
