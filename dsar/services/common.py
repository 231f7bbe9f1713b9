"""What every dsar service shares: the case reference, the clock, the timeline, messages to the requester."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.actors import current_actor
from core.audit import audit_event_record
from core.deadlines import art12_due
from core.models import OutboxMessage
from core.outbox import message_send

from ..models import Request, RequestEvent

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def reference_new(received_at: datetime) -> str:
    """A case reference that says nothing about the person: year and eight random characters."""
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"R{received_at:%Y}-{code[:4]}-{code[4:]}"
        if not Request.objects.filter(reference=reference).exists():
            return reference


def clock_suspends() -> bool:
    return bool(settings.DSAR_SUSPEND_CLOCK_WHILE_AWAITING_IDENTITY)


def due_dates_set(request: Request) -> None:
    """Recompute the original and current due dates from the clock's fields (core.deadlines, DSR-03/04/06)."""
    request.original_due_date = art12_due(request.received_at, paused_days=request.paused_days)
    request.due_date = art12_due(
        request.received_at, paused_days=request.paused_days, extended=bool(request.extended_at)
    )


def event_record(
    *,
    request: Request,
    kind: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    message: OutboxMessage | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    """Append one step to the case's timeline, attributed to the current actor, with its audit event.

    `text` is what was written (kept on the case, erased with the person); the audit
    event carries the request's id and the event's kind only.
    """
    actor = current_actor()
    event = RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        actor_user_id=actor.user_id,
        text=text,
        data=data or {},
        outbox_message_ref=message.pk if message is not None else None,
        # A step may have happened before it was recorded: a submission verified later, a letter received.
        occurred_at=at or timezone.now(),
    )
    audit_event_record(action=f"dsar.{kind}", obj=request, data={"event": event.pk, **_ids_only(data)})
    return event


def _ids_only(data: dict[str, Any] | None) -> dict[str, Any]:
    """What of an event's data may go to the audit trail, which outlives erasure: choices, ids and dates."""
    return {k: v for k, v in (data or {}).items() if isinstance(v, int | bool) or k in AUDITABLE_KEYS}


AUDITABLE_KEYS = {"ground", "category", "method", "status", "due_date", "original_due_date", "paused_days", "right"}


def matched_contact(request: Request) -> Any:
    match = request.matches.select_related("contact").order_by("added_at", "id").first()
    return match.contact if match is not None else None


def requester_message(*, request: Request, template: str, context: dict[str, Any] | None = None) -> OutboxMessage:
    """Write to the requester through the outbox, tied to a matched contact so that erasure reaches the message."""
    return message_send(
        to=request.requester_email,
        template=template,
        context={
            "request": request,
            "reference": request.reference,
            "name": request.requester_name,
            "due_date": request.due_date,
            "controller_name": settings.CONTROLLER_NAME,
            "controller_contact": settings.CONTROLLER_CONTACT,
            **(context or {}),
        },
        contact=matched_contact(request),
        language=request.language,
    )


def messages_attach(*, request: Request, contact: Any) -> int:
    """Tie the case's earlier messages that have no contact yet to `contact`, so that its erasure reaches them."""
    refs = request.events.exclude(outbox_message_ref=None).values_list("outbox_message_ref", flat=True)
    return OutboxMessage.objects.filter(pk__in=list(refs), contact__isnull=True).update(contact=contact)


def now() -> datetime:
    return timezone.now()


def lock(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


def user_label(user: models.Model | None) -> str:
    return user.get_username() if user is not None else ""
