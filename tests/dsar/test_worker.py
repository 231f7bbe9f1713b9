"""The dsar periodic tasks through a real Celery worker on Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from dsar import services
from dsar.models import EventKind, PendingSubmission, Request
from dsar.tasks import lapse_unverified, send_reminders

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_escalates_an_overdue_request_to_the_dpo(worker, dpo_user):
    dpo_user.email = "dpo@example.org"
    dpo_user.save()
    case = services.request_register(
        rights=["access"], name="Jeanne", channel="post", received_at=timezone.now() - timedelta(days=40)
    )
    send_reminders.delay()
    worker.wait_until(lambda: Request.objects.filter(pk=case.pk, overdue_notified_at__isnull=False).exists())
    assert [m.recipient for m in OutboxMessage.objects.filter(template="dsar_overdue")] == ["dpo@example.org"]
    assert case.events.filter(kind=EventKind.OVERDUE, actor_label="request reminders").count() == 1


def test_the_worker_deletes_lapsed_unverified_submissions(worker):
    services.submission_receive(rights=["access"], name="Old", email="old@example.org")
    services.submission_receive(rights=["access"], name="New", email="new@example.org")
    old = PendingSubmission.objects.order_by("pk").first()
    PendingSubmission.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    lapse_unverified.delay()
    worker.wait_until(lambda: not PendingSubmission.objects.filter(pk=old.pk).exists())
    assert PendingSubmission.objects.count() == 1
    assert OutboxMessage.objects.get(pk=old.message_ref).recipient == ""
