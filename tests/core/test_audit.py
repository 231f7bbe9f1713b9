"""Audit events are evidence: written once, never edited or deleted (DESIGN.md invariant 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection

from core.actors import Actor, acting_as
from core.audit import audit_event_record
from core.models import AppendOnlyError, AuditDetail, AuditEvent
from crm.subject_data import subject_data_collect, subject_data_erase
from tests.factories import ContactFactory
from tests.test_architecture import ORDER

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


# ------------------------------------------------- what the event says about the person


def test_a_note_and_details_about_the_person_go_to_the_detail_not_the_event():
    contact = ContactFactory()

    event = audit_event_record(
        action="test.noted", subject_id=contact.pk, note="called her at 06 12 34 56 78", details={"tag": "vip"}
    )

    event.refresh_from_db()
    assert (event.reason, event.data) == ("", {})
    assert (event.detail.contact_id, event.detail.note, event.detail.details) == (
        contact.pk,
        "called her at 06 12 34 56 78",
        {"tag": "vip"},
    )
    with connection.cursor() as cursor:  # encrypted at rest, like the notes it explains
        cursor.execute("SELECT note FROM core_auditdetail WHERE id = %s", [event.detail.pk])
        assert "06 12 34" not in cursor.fetchone()[0]


def test_nothing_about_an_already_erased_person_is_written():
    event = audit_event_record(action="test.noted", subject_id=999_999, note="written after the erasure")

    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert not AuditDetail.objects.exists()


def test_a_note_needs_a_subject():
    with pytest.raises(ValueError):
        audit_event_record(action="test.noted", note="about whom?")
    assert not AuditEvent.objects.exists()


def test_an_event_without_a_note_has_no_detail():
    event = audit_event_record(action="test.happened", subject_id=ContactFactory().pk, data={"count": 1})
    assert not AuditDetail.objects.filter(event=event).exists()


def test_the_detail_is_in_the_access_report_and_goes_with_the_erasure():
    contact = ContactFactory()
    event = audit_event_record(action="restriction.placed", subject_id=contact.pk, note="accuracy contested")

    [section] = [s for s in subject_data_collect(contact=contact) if s.model == "core.AuditDetail"]
    assert [row["note"] for row in section.rows] == ["accuracy contested"]

    subject_data_erase(contact=contact, reason="Art. 17 request")

    assert not AuditDetail.objects.exists()
    assert AuditEvent.objects.filter(pk=event.pk, subject_id=contact.pk).exists()


def _calls_with_a_subject_and_a_reason() -> list[str]:
    """`audit_event_record(...)` calls in the apps that pass both `subject_id` and `reason`."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted(p for app in ORDER for p in (root / app).rglob("*.py") if "migrations" not in p.parts):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_event_record":
                keywords = {keyword.arg for keyword in node.keywords}
                if {"subject_id", "reason"} <= keywords:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_free_text_about_a_person_is_written_as_a_note_not_a_reason():
    # A reason outlives the person; only the erasure's own ground (fixed text, a request reference) may be one.
    calls = _calls_with_a_subject_and_a_reason()
    assert [call.split(":")[0] for call in calls] == ["crm/subject_data.py"], calls
