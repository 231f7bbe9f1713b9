"""Retention fixtures: contacts whose clock started long ago, and the shipped policies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from crm.models import Contact
from retention.models import RetentionPolicy

from ..factories import ContactFactory

LONG_AGO = timedelta(days=4 * 365)


@pytest.fixture
def prospects_policy(db: None) -> RetentionPolicy:
    policy = RetentionPolicy.objects.get(key="prospects")
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    policy.refresh_from_db()
    return policy


@pytest.fixture
def old_prospect(db: None) -> Callable[..., Contact]:
    """A prospect collected four years ago (its clock expired a year ago), with an e-mail and a note."""

    def make(collected_at: datetime | None = None, **data: Any) -> Contact:
        data.setdefault("status", "prospect")
        contact = ContactFactory(collected_at=collected_at or timezone.now() - LONG_AGO, **data)
        return contact

    return make


@pytest.fixture(autouse=True)
def ledger_file(tmp_path, settings) -> Any:
    """Each test its own ledger file: replay reads the file, and other tests' purges must not leak in."""
    settings.RETENTION_LEDGER_PATH = tmp_path / "purge-ledger.jsonl"
    return settings.RETENTION_LEDGER_PATH
