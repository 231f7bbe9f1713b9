"""What every fulfilment action shares: the matched contacts, the case-file event, the message to the requester."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.actors import current_actor
from core.models import OutboxMessage
from core.outbox import message_send
from crm.models import Contact
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
    *, request: Request, kind: str = EventKind.FULFILLED, action: str, text: str = "", message: Any = None, **data: Any
) -> RequestEvent:
    """One step of the case file's timeline; `data` holds ids, counts and choices only, never the person's data."""
    actor = current_actor()
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        actor_user_id=actor.user_id,
        text=text,
        data={"action": action, **data},
        outbox_message_ref=getattr(message, "pk", None),
    )


def requester_message(*, request: Request, template: str, context: dict[str, Any]) -> OutboxMessage:
    """A message to the requester through the outbox, tied to a matched contact so that it goes with the person."""
    contacts = matched_contacts(request)
    return message_send(
        to=request.requester_email,
        template=template,
        context={"request": request, "reference": request.reference, **context},
        contact=contacts[0] if contacts else None,
        language=request.language,
    )
