"""Reminders before due dates and the overdue escalation to the DPO (DSR-14), run each morning."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from access.roles import DPO
from core.deadlines import local_date
from core.models import StaffPreference
from core.outbox import message_send

from ..models import ACTIVE_STATUSES, EventKind, Request
from .common import event_record
from .common import now as current_time

BATCH = 500


def dpo_users() -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=DPO, is_active=True).exclude(email="").order_by("pk"))


def _staff_message(*, user: Any, template: str, request: Request, today: date) -> Any:
    return message_send(
        to=user.email,
        template=template,
        context={
            "reference": request.reference,
            "due_date": request.due_date,
            "days_left": (request.due_date - today).days,
            "link": settings.SITE_URL + reverse("dsar:request_detail", args=[request.pk]),
        },
        language=_staff_language(user),
    )


def _staff_language(user: Any) -> str:
    preference = StaffPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return preference or settings.LANGUAGE_CODE


def requests_remind(*, now: datetime | None = None) -> tuple[int, bool]:
    """Remind the assignee (or the DPOs) of each running request due in one of DSAR_REMINDER_DAYS_BEFORE_DUE
    days, and escalate each newly overdue request to the DPOs once. Idempotent within a day.

    Returns (messages sent, has_more): a run handles at most BATCH requests and says if more wait.
    """
    today = local_date(now or current_time())
    offsets = [today + timedelta(days=days) for days in settings.DSAR_REMINDER_DAYS_BEFORE_DUE]
    sent = 0
    # A case whose clock is stopped (identity information awaited, DSR-06) has no running deadline to remind of.
    running = Request.objects.filter(status__in=ACTIVE_STATUSES, paused_since__isnull=True)
    due_soon = running.filter(due_date__in=offsets).exclude(reminded_on=today).order_by("pk")[: BATCH + 1]
    overdue = running.filter(due_date__lt=today, overdue_notified_at__isnull=True).order_by("pk")[: BATCH + 1]
    due_soon, overdue = list(due_soon), list(overdue)
    for request in due_soon[:BATCH]:
        sent += _remind(request, today)
    for request in overdue[:BATCH]:
        sent += _escalate(request, today, now or current_time())
    return sent, len(due_soon) > BATCH or len(overdue) > BATCH


@transaction.atomic
def _remind(request: Request, today: date) -> int:
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.reminded_on == today:
        return 0
    recipients = [request.assignee] if request.assignee is not None and request.assignee.email else dpo_users()
    for user in recipients:
        _staff_message(user=user, template="dsar_reminder", request=request, today=today)
    request.reminded_on = today
    request.save(update_fields=["reminded_on"])
    event_record(
        request=request,
        kind=EventKind.REMINDER,
        data={"due_date": request.due_date.isoformat(), "sent": len(recipients)},
    )
    return len(recipients)


@transaction.atomic
def _escalate(request: Request, today: date, moment: datetime) -> int:
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.overdue_notified_at is not None:
        return 0
    recipients = dpo_users()
    for user in recipients:
        _staff_message(user=user, template="dsar_overdue", request=request, today=today)
    request.overdue_notified_at = moment
    request.save(update_fields=["overdue_notified_at"])
    event_record(
        request=request,
        kind=EventKind.OVERDUE,
        data={"due_date": request.due_date.isoformat(), "sent": len(recipients)},
    )
    return len(recipients)
