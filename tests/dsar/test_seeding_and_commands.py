"""Demo requests from `seed_demo`, and the operator's commands."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dsar import services
from dsar.models import PendingSubmission, Request, RequestStatus
from dsar.selectors import OVERDUE, request_risk

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_requests_in_every_state_one_of_them_overdue(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")
    call_command("seed_demo", "--contacts", "40", stdout=StringIO())
    requests = list(Request.objects.all())
    assert len(requests) == 7
    statuses = {r.status for r in requests}
    assert {
        RequestStatus.OPEN,
        RequestStatus.AWAITING_IDENTITY,
        RequestStatus.REFUSED,
        RequestStatus.CLOSED,
    } <= statuses
    assert any(r.extended_at for r in requests)
    assert [request_risk(r) for r in requests].count(OVERDUE) == 1
    assert all(r.matches.exists() for r in requests)
    call_command("seed_demo", "--contacts", "40", stdout=StringIO())
    assert Request.objects.count() == 7  # a second run adds none


def test_the_commands_send_reminders_and_lapse_submissions(dpo_user):
    dpo_user.email = "dpo@example.org"
    dpo_user.save()
    services.request_register(
        rights=["access"], name="J", channel="post", received_at=timezone.now() - timedelta(days=40)
    )
    services.submission_receive(rights=["access"], name="Old", email="old@example.org")
    PendingSubmission.objects.update(submitted_at=timezone.now() - timedelta(days=30))
    out = StringIO()
    call_command("dsar_reminders", stdout=out)
    call_command("dsar_lapse_unverified", stdout=out)
    assert out.getvalue().splitlines() == ["1 reminder(s) sent", "1 unverified submission(s) deleted"]
    assert not PendingSubmission.objects.exists()
