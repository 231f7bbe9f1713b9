"""What every fulfilment action shares: the matched contacts, the case-file event, the message to the requester."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import OutboxMessage
from crm.models import Contact
from dsar import services as dsar_services
from dsar.models import EventKind, Request, RequestEvent, RequestStatus

CLOSED_STATUSES = (RequestStatus.REFUSED, RequestStatus.CLOSED)


def matched_contacts(request: Request) -> list[Contact]:
    """The contacts the request concerns, restricted and soft-deleted ones included (their data are still held)."""
    ids = request.matches.filter(contact__isnull=False).values_list("contact_id", flat=True)
    return list(Contact._base_manager.filter(pk__in=ids).order_by("pk"))


def check_open(request: Request, right: str) -> None:
    if request.status in CLOSED_STATUSES:
        raise ValidationError(_("This request is closed."))
    if right not in (request.rights or []):
        raise ValidationError(_("The person did not ask for this right in this request."))


def event_record(
    *, request: Request, kind: str = EventKind.NOTE, action: str, text: str = "", message: Any = None, **data: Any
) -> RequestEvent:
    """One step of the case file's timeline (through dsar's own `event_record`, which writes the audit event);
    `data` holds ids, counts and choices only, never the person's data."""
    return dsar_services.event_record(
        request=request, kind=kind, text=text, data={"action": action, **data}, message=message
    )


def fulfilled(*, request: Request, action: str, **data: Any) -> None:
    """The answer to one right is ready: the case turns "fulfilled, to communicate" (dsar's `request_fulfilled`)."""
    dsar_services.request_fulfilled(request=request, data={"action": action, **data})


def requester_message(*, request: Request, template: str, context: dict[str, Any]) -> OutboxMessage:
    """A message to the requester through the outbox, tied to a matched contact so that it goes with the person."""
    return dsar_services.requester_message(request=request, template=template, context=context)
