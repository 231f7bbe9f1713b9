"""The read-access log and the disclosure log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from core.actors import current_actor
from core.audit import audit_event_record

from ..models import ContactAccess, DisclosedContact, Disclosure


def contact_access_record(*, contact_ids: Iterable[int], channel: str) -> int:
    """Log that the current actor displayed these contacts' full records (page, API detail, export row)."""
    actor = current_actor()
    rows = [
        ContactAccess(
            contact_id=pk,
            channel=channel,
            actor_kind=actor.kind,
            actor_label=actor.label[:150],
            user_id=actor.user_id,
        )
        for pk in contact_ids
    ]
    ContactAccess.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def disclosure_record(
    *,
    recipient: str,
    channel: str,
    contact_ids: Sequence[int],
    fields: Sequence[str],
    country: str = "",
    purpose: str = "",
) -> Disclosure:
    """Record that contacts' data left the CRM (export, API push, sync): Art. 19 notices read this."""
    actor = current_actor()
    disclosure = Disclosure.objects.create(
        recipient=recipient[:200],
        country=country,
        channel=channel,
        fields=list(fields),
        contact_count=len(contact_ids),
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        purpose=purpose[:200],
    )
    DisclosedContact.objects.bulk_create(
        [DisclosedContact(disclosure=disclosure, contact_id=pk) for pk in contact_ids], batch_size=5000
    )
    audit_event_record(
        action="contacts.disclosed",
        obj=disclosure,
        data={"recipient": recipient, "channel": channel, "contacts": len(contact_ids), "fields": list(fields)},
    )
    return disclosure
