"""Which contacts a request concerns: every contact holding the verified address, and those staff add."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.actors import current_actor
from crm.models import Contact

from ..models import EventKind, MatchMethod, Request, RequestMatch
from .common import event_record, messages_attach


def contacts_holding(email_index: str) -> list[Contact]:
    """Live and soft-deleted contacts with this address (blind index), in id order: duplicates included."""
    if not email_index:
        return []
    return list(
        Contact._base_manager.filter(points__kind="email", points__value_index=email_index).distinct().order_by("pk")
    )


def request_match_by_address(*, request: Request, method: str = MatchMethod.VERIFIED_ADDRESS) -> list[RequestMatch]:
    """Match every contact holding the request's address; a contact already matched is left as it is."""
    added = []
    for contact in contacts_holding(request.requester_email_index):
        if not request.matches.filter(contact=contact).exists():
            added.append(_match_create(request=request, contact=contact, method=method))
    return added


def _match_create(*, request: Request, contact: Contact, method: str) -> RequestMatch:
    actor = current_actor()
    match = RequestMatch.objects.create(
        request=request, contact=contact, method=method, added_by_kind=actor.kind, added_by=actor.label[:150]
    )
    event_record(request=request, kind=EventKind.MATCHED, data={"contact": contact.pk, "method": method})
    messages_attach(request=request, contact=contact)
    return match


@transaction.atomic
def request_match_add(*, request: Request, contact: Contact) -> RequestMatch:
    """Staff add a contact to the request (found by name or e-mail)."""
    if request.matches.filter(contact=contact).exists():
        raise ValidationError({"contact": [_("This contact is already matched to the request.")]})
    try:
        with transaction.atomic():
            return _match_create(request=request, contact=contact, method=MatchMethod.STAFF)
    except IntegrityError as exc:
        raise ValidationError({"contact": [_("This contact is already matched to the request.")]}) from exc


@transaction.atomic
def request_match_remove(*, request: Request, contact_id: int) -> None:
    """Staff remove a contact from the request; the timeline keeps that it was matched, then removed."""
    deleted, _rows = RequestMatch.objects.filter(request=request, contact_id=contact_id).delete()
    if not deleted:
        raise ValidationError({"contact": [_("This contact is not matched to the request.")]})
    event_record(request=request, kind=EventKind.UNMATCHED, data={"contact": contact_id})
