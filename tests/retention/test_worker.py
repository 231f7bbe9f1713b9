"""The daily retention tasks through a real worker on Redis (the SIGKILL test is in test_worker_kill.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from crm.models import Contact
from crm.services import contact_delete
from retention.models import PurgeRun, RepermissionRequest, RetentionPolicy, RunStatus
from retention.services import policy_update
from retention.tasks import evaluate_policies, send_repermission_requests

from ..factories import ContactFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_daily_evaluation_purges_contacts_deleted_by_staff_through_a_real_worker(worker):
    # given two contacts deleted 31 days ago and one deleted yesterday
    old = [contact_delete(contact=ContactFactory()) for _ in range(2)]
    recent = contact_delete(contact=ContactFactory())
    Contact.objects.filter(pk__in=[contact.pk for contact in old]).update(
        deleted_at=timezone.now() - timedelta(days=31)
    )

    # when beat queues the daily evaluation; the approved "deleted contacts" policy runs on the purge queue
    evaluate_policies.delay()

    # then the worker purges both old ones, history included, and leaves the recent one for its restore window
    old_pks = [contact.pk for contact in old]
    worker.wait_until(lambda: not Contact._base_manager.filter(pk__in=old_pks).exists(), "purge")
    assert Contact._base_manager.filter(pk=recent.pk).exists()
    assert not Contact.history.filter(id__in=old_pks).exists()
    run = PurgeRun.objects.filter(policy__key="deleted-contacts").latest("pk")
    worker.wait_until(lambda: PurgeRun.objects.get(pk=run.pk).status == RunStatus.DONE, "the run's end")


def test_the_daily_re_permission_requests_go_out_through_a_real_worker(worker, prospects_policy, old_prospect):
    # given a policy that asks 30 days before the end, and a prospect whose period ends in ten days
    policy = policy_update(policy=prospects_policy, repermission_days=30)
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    due = old_prospect(collected_at=timezone.now() - timedelta(days=3 * 365 - 10), emails=["due@example.com"])
    not_yet = old_prospect(collected_at=timezone.now() - timedelta(days=365), emails=["later@example.com"])

    # when beat queues the daily task
    send_repermission_requests.delay()

    # then the worker asks the one whose period ends soon, through the outbox, and no one else
    worker.wait_until(lambda: RepermissionRequest.objects.filter(contact=due).exists(), "the re-permission request")
    assert OutboxMessage.objects.filter(contact=due, template="retention_repermission").exists()
    assert not RepermissionRequest.objects.filter(contact=not_yet).exists()
