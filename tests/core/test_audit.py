"""Audit events are evidence: written once, never edited or deleted (DESIGN.md invariant 1)."""

from __future__ import annotations

import pytest

from core.actors import Actor, acting_as
from core.audit import audit_event_record
from core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    with acting_as(Actor.job("tests.audit")):
        return audit_event_record(action="test.happened", subject_id=42, reason="because", data={"count": 3})


def test_records_the_current_actor(event):
    event.refresh_from_db()
    assert (event.actor_kind, event.actor_label, event.actor_user_id) == ("job", "tests.audit", None)
    assert (event.action, event.subject_id, event.reason, event.data) == ("test.happened", 42, "because", {"count": 3})


def test_records_the_acting_user(sales_user):
    with acting_as(Actor.for_user(sales_user)):
        event = audit_event_record(action="test.happened")
    assert event.actor_user_id == sales_user.pk
    assert event.actor_label == sales_user.get_username()


def test_an_event_cannot_be_edited(event):
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == "because"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    assert AuditEvent.objects.get(pk=event.pk).reason == "because"


def test_bulk_delete_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
