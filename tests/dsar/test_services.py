"""The rules of a case: dates, suspension, extension, refusal, identity, matching, reminders (DSR-01…07, 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.utils import timezone

from core.models import AuditEvent, OutboxMessage
from dsar import services
from dsar.models import EventKind, IdentityMethod, RefusalGround, RequestEvent, RequestStatus
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def register(received_at: datetime | None = None, **kwargs):
    return services.request_register(
        rights=kwargs.pop("rights", ["access"]),
        name=kwargs.pop("name", "Jeanne Martin"),
        email=kwargs.pop("email", "jeanne@example.org"),
        channel=kwargs.pop("channel", "post"),
        received_at=received_at or timezone.now(),
        **kwargs,
    )


def test_a_request_logged_by_staff_keeps_its_actual_receipt_date_for_the_deadline():
    case = register(at(date(2025, 1, 31)))
    assert case.original_due_date == case.due_date == date(2025, 2, 28)
    assert case.events.get(kind=EventKind.RECEIVED).occurred_at == at(date(2025, 1, 31))


def test_registering_checks_every_field_at_once():
    with pytest.raises(ValidationError) as caught:
        services.request_register(
            rights=[], name=" ", email="nope", channel="web", received_at=timezone.now() + timedelta(days=1)
        )
    assert set(caught.value.message_dict) == {"rights", "name", "email", "channel", "received_at"}


def test_a_request_matches_every_contact_holding_the_address():
    holder = ContactFactory(emails=["jeanne@example.org"])
    ContactFactory(emails=["other@example.org"])
    case = register()
    assert list(case.matches.values_list("contact_id", flat=True)) == [holder.pk]


def test_staff_add_and_remove_matches_and_the_timeline_keeps_both():
    case = register(email="")
    duplicate = ContactFactory(emails=["jeanne.m@example.org"])
    services.request_match_add(request=case, contact=duplicate)
    with pytest.raises(ValidationError):
        services.request_match_add(request=case, contact=duplicate)
    services.request_match_remove(request=case, contact_id=duplicate.pk)
    assert not case.matches.exists()
    assert list(case.events.values_list("kind", flat=True))[-2:] == [EventKind.MATCHED, EventKind.UNMATCHED]


def test_suspension_while_identity_is_awaited_pushes_the_due_date_back(dpo_user, time_travel):
    # DSR-06: received 1 March, information asked 5 March, received 12 March -> due 8 April.
    case = register(at(date(2026, 3, 1)))
    time_travel(at(date(2026, 3, 5)))
    case = services.request_information_ask(
        request=case, reason="Address differs", message_text="Your customer number?"
    )
    assert case.status == RequestStatus.AWAITING_IDENTITY and case.paused_since is not None
    time_travel(at(date(2026, 3, 12)))
    case = services.request_information_receive(
        request=case, method=IdentityMethod.ADDITIONAL_INFORMATION, checked_by=dpo_user
    )
    assert (case.paused_days, case.due_date, case.status) == (7, date(2026, 4, 8), RequestStatus.OPEN)
    assert case.identity_verified_by == dpo_user


def test_with_the_suspension_off_the_due_date_stays(settings, dpo_user, time_travel):
    settings.DSAR_SUSPEND_CLOCK_WHILE_AWAITING_IDENTITY = False
    case = register(at(date(2026, 3, 1)))
    time_travel(at(date(2026, 3, 5)))
    case = services.request_information_ask(request=case, reason="Doubt", message_text="Customer number?")
    time_travel(at(date(2026, 3, 12)))
    case = services.request_information_receive(
        request=case, method=IdentityMethod.ADDITIONAL_INFORMATION, checked_by=dpo_user
    )
    assert case.due_date == date(2026, 4, 1)


def test_asking_for_more_needs_a_recorded_doubt_and_tells_the_requester():
    case = register()
    with pytest.raises(ValidationError) as caught:
        services.request_information_ask(request=case, reason="", message_text="Your ID please")
    assert "reason" in caught.value.message_dict
    services.request_information_ask(request=case, reason="Doubt", message_text="Your customer number, please.")
    message = OutboxMessage.objects.get(template="dsar_information_request")
    assert "Your customer number, please." in message.body and "Doubt" not in message.body


def test_an_identity_document_is_deleted_right_after_the_check(dpo_user, tmp_path):
    case = register()
    services.request_information_ask(
        request=case, reason="High-risk data", message_text="A copy of an ID", document=True
    )
    upload = TemporaryUploadedFile("passport.pdf", "application/pdf", 10, "utf-8")
    upload.write(b"%PDF-1.4 x")
    upload.flush()
    path = upload.temporary_file_path()
    case = services.request_information_receive(
        request=case, method=IdentityMethod.DOCUMENT, checked_by=dpo_user, document=upload
    )
    import os

    assert not os.path.exists(path)
    checked = case.events.get(kind=EventKind.IDENTITY_CHECKED)
    assert checked.data == {"method": "document", "document_deleted": True}
    assert case.identity_method == IdentityMethod.DOCUMENT


def test_an_extension_needs_a_reason_and_tells_the_requester_before_the_first_due_date(time_travel):
    case = register(at(date(2025, 1, 31)))
    time_travel(at(date(2025, 2, 20)))
    with pytest.raises(ValidationError) as caught:
        services.request_extend(request=case, category="complexity", reason=" ")
    assert "reason" in caught.value.message_dict
    case = services.request_extend(request=case, category="complexity", reason="Data held in four systems.")
    assert case.due_date == date(2025, 4, 30)
    notice = OutboxMessage.objects.get(template="dsar_extension_notice")
    assert "Data held in four systems." in notice.body
    assert timezone.localdate(case.extension_notified_at) <= case.original_due_date
    with pytest.raises(ValidationError):
        services.request_extend(request=case, category="complexity", reason="Again")


def test_an_extension_after_the_original_due_date_fails(time_travel):
    case = register(at(date(2025, 1, 31)))
    time_travel(at(date(2025, 3, 1)))  # D + 1 month + 1 day
    with pytest.raises(ValidationError):
        services.request_extend(request=case, category="number", reason="Many requests this month.")
    case.refresh_from_db()
    assert case.extended_at is None and not OutboxMessage.objects.filter(template="dsar_extension_notice").exists()


def test_a_refusal_needs_a_ground_and_its_notice_names_the_cnil_and_the_courts():
    case = register()
    with pytest.raises(ValidationError) as caught:
        services.request_refuse(request=case, ground="", explanation="No.")
    assert "ground" in caught.value.message_dict
    case = services.request_refuse(
        request=case, ground=RefusalGround.UNFOUNDED_OR_EXCESSIVE, explanation="Twelfth identical request this month."
    )
    assert case.status == RequestStatus.REFUSED and case.closed_at is not None
    notice = OutboxMessage.objects.get(template="dsar_refusal_notice")
    assert "Twelfth identical request this month." in notice.body
    assert "CNIL" in notice.body and "recours juridictionnel" in notice.body  # in the requester's language (fr)
    assert not AuditEvent.objects.filter(action="dsar.sla_breached").exists()


def test_answering_after_the_due_date_is_recorded_as_a_breach(time_travel):
    case = register(at(date(2025, 1, 10)))
    time_travel(at(date(2025, 2, 11)))
    services.request_communicate(request=case, note="Sent by post")
    breach = AuditEvent.objects.get(action="dsar.sla_breached")
    assert breach.data == {"due_date": "2025-02-10", "answered_on": "2025-02-11"}


def test_a_closed_case_refuses_further_actions():
    case = services.request_communicate(request=register())
    with pytest.raises(ValidationError):
        services.request_refuse(request=case, ground=RefusalGround.THIRD_PARTY_RIGHTS, explanation="x")


def test_the_timeline_is_append_only():
    case = register()
    event = case.events.first()
    event.text = "rewritten"
    with pytest.raises(Exception, match="never edited"):
        event.save()
    with pytest.raises(Exception, match="never edited"):
        RequestEvent.objects.filter(pk=event.pk).update(kind="note")
    with pytest.raises(Exception, match="never deleted"):
        event.delete()


def test_reminders_go_before_the_due_date_once_a_day_and_overdue_cases_reach_the_dpo(
    settings, dpo_user, support_user, time_travel
):
    settings.DSAR_REMINDER_DAYS_BEFORE_DUE = [3]
    dpo_user.email, support_user.email = "dpo@example.org", "support@example.org"
    dpo_user.save(), support_user.save()
    soon = register(at(date(2026, 3, 1)), assignee=support_user)  # due 1 April
    late = register(at(date(2026, 2, 1)))  # due 1 March
    time_travel(at(date(2026, 3, 29)))
    assert services.requests_remind() == (2, False)  # the assignee, then the DPO for the overdue case
    assert services.requests_remind() == (0, False)  # idempotent the same day
    reminder = OutboxMessage.objects.get(template="dsar_reminder")
    overdue = OutboxMessage.objects.get(template="dsar_overdue")
    assert (reminder.recipient, overdue.recipient) == ("support@example.org", "dpo@example.org")
    assert soon.reference in reminder.subject and late.reference in overdue.subject
    assert late.events.filter(kind=EventKind.OVERDUE).count() == 1
