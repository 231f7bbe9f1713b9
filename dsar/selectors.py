"""Reads of the dsar app: the queue with its filters, the risk of each case, the dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from core.deadlines import art12_at_risk_from, local_today

from .models import ACTIVE_STATUSES, Request, RequestStatus

OVERDUE = "overdue"
AT_RISK = "at_risk"
ON_TRACK = "on_track"
SETTLED = "settled"


def request_risk(request: Request, today: date | None = None) -> str:
    """DSR-14: red once past the due date, amber from day 22 (or 9 days before an extended due date)."""
    today = today or local_today()
    if not request.is_active:
        return SETTLED
    if request.status == RequestStatus.AWAITING_IDENTITY and request.paused_since is not None:
        return ON_TRACK  # the clock is stopped
    if today > request.due_date:
        return OVERDUE
    at_risk = art12_at_risk_from(
        request.received_at, paused_days=request.paused_days, due=request.due_date, extended=bool(request.extended_at)
    )
    return AT_RISK if today >= at_risk else ON_TRACK


def requests_filter(
    queryset: QuerySet[Request] | None = None,
    *,
    status: str = "",
    right: str = "",
    assignee: Any = None,
    unassigned: bool = False,
    days_left: int | None = None,
    overdue: bool = False,
    at_risk: bool = False,
    reference: str = "",
    today: date | None = None,
) -> QuerySet[Request]:
    """The queue, filtered: the one query both the staff queue and the API list use."""
    today = today or local_today()
    queryset = (queryset if queryset is not None else Request.objects.all()).select_related("assignee")
    if status == "active":
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if right:
        # JSON text containment works on PostgreSQL and SQLite alike; values are quoted, so no prefix matches.
        queryset = queryset.filter(rights__icontains=f'"{right}"')
    if unassigned:
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    if days_left is not None:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES, due_date__lte=today + timedelta(days=days_left))
    if overdue:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES, due_date__lt=today).exclude(
            Q(status=RequestStatus.AWAITING_IDENTITY) & Q(paused_since__isnull=False)
        )
    if at_risk:
        # Amber (DSR-14) depends on pauses and extensions: decided per running case, and running cases are few.
        running = Request.objects.filter(status__in=ACTIVE_STATUSES).only(
            "status", "received_at", "paused_days", "paused_since", "due_date", "extended_at"
        )
        queryset = queryset.filter(pk__in=[case.pk for case in running if request_risk(case, today) == AT_RISK])
    if reference:
        queryset = queryset.filter(reference__icontains=reference.strip())
    return queryset.order_by("due_date", "pk")


@dataclass(frozen=True)
class QueueFigures:
    open: int
    at_risk: int
    overdue: int
    due_this_week: int
    awaiting_identity: int


def queue_figures(today: date | None = None) -> QueueFigures:
    """The dashboard's requests panel: running cases, amber, red, due within 7 days, waiting for the requester."""
    today = today or local_today()
    running = list(
        Request.objects.filter(status__in=ACTIVE_STATUSES).only(
            "status", "received_at", "paused_days", "paused_since", "due_date", "extended_at"
        )
    )
    risks = [request_risk(request, today) for request in running]
    return QueueFigures(
        open=len(running),
        at_risk=risks.count(AT_RISK),
        overdue=risks.count(OVERDUE),
        due_this_week=sum(
            1
            for request, risk in zip(running, risks, strict=True)
            if risk != OVERDUE and request.due_date <= today + timedelta(days=7) and request.paused_since is None
        ),
        awaiting_identity=sum(1 for request in running if request.status == RequestStatus.AWAITING_IDENTITY),
    )


def requests_for_contact(contact_id: int) -> QuerySet[Request]:
    return Request.objects.filter(matches__contact_id=contact_id).distinct().order_by("-received_at")
