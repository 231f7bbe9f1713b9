"""The breach register (SEC-09): the 72-hour countdown, late notification, phases, closure, telling people."""

from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import deadlines
from core.models import AuditEvent, OutboxMessage
from registry.choices import Art34Exemption, AuthorityDecision, NotificationPhase, RiskLevel
from registry.models import BreachNotification
from registry.selectors import time_left_text
from registry.services import (
    breach_close,
    breach_contacts_inform,
    breach_contacts_link,
    breach_notification_record,
    breach_record,
)

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def _breach(hours_ago: float, **data):
    return breach_record(
        data={
            "title": "Lost laptop",
            "aware_at": timezone.now() - timedelta(hours=hours_ago),
            "description": "A laptop with an export was lost.",
            "nature": ["confidentiality"],
            **data,
        }
    )


def test_the_deadline_is_72_elapsed_hours_after_awareness_across_a_clock_change():
    # 24 March 2029 09:00 Paris (UTC+1); clocks go forward on the 25th: 72 elapsed hours end at 10:00 local
    aware = timezone.make_aware(timezone.datetime(2029, 3, 24, 9, 0), timezone.get_default_timezone())
    due = deadlines.art33_notification_due(aware)
    assert due.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=72)
    assert timezone.localtime(due, timezone.get_default_timezone()).hour == 10


def test_a_breach_recorded_70_hours_after_detection_is_due_in_2_hours():
    breach = _breach(70)
    now = timezone.now()
    assert time_left_text(breach, now).startswith("Due in 2 h") or time_left_text(breach, now).startswith(
        "Due in 1 h 59"
    )
    assert not breach.is_late(now)
    assert breach.reference.startswith("BR-") and AuditEvent.objects.filter(action="breach.recorded").exists()


def test_one_past_72_hours_without_notification_is_late_and_requires_a_reason_for_delay():
    breach = _breach(80)
    now = timezone.now()
    assert breach.is_late(now) and time_left_text(breach, now).startswith("Late by 8 h")
    with pytest.raises(ValidationError) as refused:
        breach_notification_record(breach=breach, phase=NotificationPhase.INITIAL, sent_at=now, content="Sent")
    assert "delay_reason" in refused.value.message_dict
    assert not BreachNotification.objects.exists()
    breach_notification_record(
        breach=breach, phase=NotificationPhase.INITIAL, sent_at=now, content="Sent", delay_reason="Weekend, no DPO"
    )
    breach.refresh_from_db()
    assert breach.notified_at == now and breach.delay_reason == "Weekend, no DPO"
    assert AuditEvent.objects.get(action="breach.notified").data["late"] is True


def test_a_notification_within_72_hours_needs_no_reason_and_later_phases_keep_the_first_date():
    breach = _breach(30)
    first = timezone.now() - timedelta(hours=1)
    breach_notification_record(breach=breach, phase=NotificationPhase.INITIAL, sent_at=first, content="Initial")
    breach_notification_record(
        breach=breach, phase=NotificationPhase.ADDITIONAL, sent_at=timezone.now(), content="More", reference="CNIL-7"
    )
    breach.refresh_from_db()
    assert (breach.notified_at, breach.authority_reference) == (first, "CNIL-7")
    assert [n.phase for n in breach.notifications.all()] == ["initial", "additional"]
    assert time_left_text(breach) == "Notified"


def test_a_breach_judged_not_notifiable_needs_a_reason_and_is_never_late():
    with pytest.raises(ValidationError) as refused:
        _breach(100, authority_decision=AuthorityDecision.NOT_NOTIFY)
    assert "not_notified_reason" in refused.value.message_dict
    breach = _breach(100, authority_decision=AuthorityDecision.NOT_NOTIFY, not_notified_reason="Encrypted data")
    assert not breach.is_late(timezone.now())


def test_a_high_risk_breach_cannot_close_without_telling_people_or_an_art34_ground():
    breach = _breach(10, risk_level=RiskLevel.HIGH, measures="Passwords reset")
    breach_notification_record(breach=breach, phase="initial", sent_at=timezone.now(), content="Sent")
    with pytest.raises(ValidationError) as refused:
        breach_close(breach=breach)
    assert "art34_exemption" in refused.value.message_dict
    breach.refresh_from_db()
    breach.art34_exemption = Art34Exemption.UNINTELLIGIBLE
    breach.save()
    assert breach_close(breach=breach).closed_at is not None


def test_the_people_concerned_are_told_once_through_the_outbox(settings):
    breach = _breach(5, consequences="Spam", measures="Reset")
    told = ContactFactory(emails=["anna@example.org"])
    no_email = ContactFactory(emails=[])
    assert breach_contacts_link(breach=breach, contact_ids=[told.pk, no_email.pk, told.pk, 999999]) == 2
    assert breach_contacts_inform(breach=breach) == (1, False)
    assert breach_contacts_inform(breach=breach) == (0, False)  # a rerun sends nothing twice
    message = OutboxMessage.objects.get(template="breach_notice")
    assert message.contact_id == told.pk and "Spam" in message.body
    breach.refresh_from_db()
    assert breach.subjects_informed_at is not None
    assert breach.affected.get(contact=told).message == message


def test_the_breach_page_shows_the_countdown_and_the_late_warning(client, dpo_user):
    breach = _breach(73)
    client.force_login(dpo_user)
    page = client.get(reverse("registry:breach_detail", args=[breach.pk])).content.decode()
    assert 'id="breach-late"' in page and "Late by 1 h" in page
    response = client.post(
        reverse("registry:breach_notify", args=[breach.pk]),
        {"phase": "initial", "sent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "content": "Sent"},
    )
    assert response.status_code == 400
    assert 'id="id_delay_reason_errors"' in response.content.decode()


def test_recording_a_breach_with_a_bad_form_gets_field_errors(client, dpo_user):
    client.force_login(dpo_user)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "", "aware_at": future, "description": "x", "risk_level": "risk", "authority_decision": "pending"}
    response = client.post(reverse("registry:breach_create"), data)
    assert response.status_code == 400
    assert 'id="id_title_errors"' in response.content.decode()
    # the form's own checks pass; the service's do not: its errors land on the fields too
    response = client.post(reverse("registry:breach_create"), {**data, "title": "Lost laptop"})
    assert response.status_code == 400
    assert 'id="id_aware_at_errors"' in response.content.decode()


def test_the_breach_register_export_carries_every_art33_item(client, auditor_user):
    breach = _breach(
        80, consequences="Spam", measures="Reset", subjects_approx=12, records_approx=30, data_categories=["identity"]
    )
    breach_notification_record(
        breach=breach, phase="initial", sent_at=timezone.now(), content="Sent", reference="CNIL-9", delay_reason="Late"
    )
    client.force_login(auditor_user)
    response = client.get(reverse("registry:breach_export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    for column in (
        "Nature",
        "Categories of personal data",
        "Data subjects (approx.)",
        "Records (approx.)",
        "Likely consequences",
        "Measures taken or proposed",
        "DPO or other contact point",
        "Became aware",
        "Authority notified at",
        "Reasons for the delay",
        "Phases sent",
    ):
        assert row[column], column
    assert "CNIL-9" in row["Phases sent"]


def test_the_inform_task_tells_every_linked_contact_batch_after_batch(monkeypatch):
    from registry import tasks
    from registry.services import breaches

    breach = _breach(5, consequences="Spam", measures="Reset")
    contacts = [ContactFactory() for _ in range(3)]
    breach_contacts_link(breach=breach, contact_ids=[c.pk for c in contacts])
    # batches of two: the task sends two, re-enqueues itself, and the second run sends the last one
    monkeypatch.setattr(breaches.breach_contacts_inform, "__kwdefaults__", {"batch_size": 2})
    requeued = []
    monkeypatch.setattr(tasks.inform_breach_contacts, "delay", requeued.append)
    assert tasks.inform_breach_contacts(breach.pk) == 2 and requeued == [breach.pk]
    assert tasks.inform_breach_contacts(breach.pk) == 1
    assert OutboxMessage.objects.filter(template="breach_notice").count() == 3
    assert tasks.inform_breach_contacts(0) == 0  # a breach that is gone: nothing to do
