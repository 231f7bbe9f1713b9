"""The dashboard's security panel: failed sign-ins, locks, API keys near expiry, and the restore-test warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from access.apikeys import api_key_create
from core.models import RestoreOutcome, RestoreRecord

pytestmark = pytest.mark.django_db


def test_the_panel_warns_without_a_restore_test_for_90_days_and_counts_sign_in_trouble(role_client, sales_user):
    for _ in range(5):
        Client().post("/login/", {"username": "sales", "password": "wrong"})
    api_key_create(name="nightly-sync", scopes=["contacts:read"], expires_in_days=3)
    RestoreRecord.objects.create(
        started_at=timezone.now() - timedelta(days=91), duration_seconds=12, outcome=RestoreOutcome.SUCCEEDED,
        backup_name="old.backup",
    )  # fmt: skip

    page = role_client("DPO").get("/dashboard/")

    figures = page.context["security"]
    assert (figures["failed_logins_24h"], figures["lockouts_24h"], figures["locked_accounts"]) == (5, 1, 1)
    assert [key.name for key in figures["keys_expiring"]] == ["nightly-sync"]
    assert figures["restore_overdue"] and "None in the last 90 days" in page.text


def test_a_recent_restore_test_clears_the_warning(role_client):
    RestoreRecord.objects.create(
        started_at=timezone.now() - timedelta(days=10), duration_seconds=12, outcome=RestoreOutcome.SUCCEEDED,
        backup_name="recent.backup",
    )  # fmt: skip

    page = role_client("Auditor").get("/dashboard/")

    assert not page.context["security"]["restore_overdue"]
    assert "None in the last" not in page.text
