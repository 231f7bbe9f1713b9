from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from ..models import Contact, Interaction
from .free_text import free_text_check, free_text_justified
from .validation import collect_errors


def _refresh_last_interaction(contact_id: int) -> None:
    # A derived value: written with update() so it adds no history row of its own.
    latest = Interaction.objects.filter(contact_id=contact_id).aggregate(latest=Max("occurred_at"))["latest"]
    Contact.objects.filter(pk=contact_id).update(last_interaction_at=latest)


@transaction.atomic
def interaction_create(
    *,
    contact: Contact,
    kind: str,
    occurred_at: datetime,
    subject: str,
    body: str = "",
    author: Any = None,
    justification: str = "",
) -> Interaction:
    """Record an interaction; a body with sensitive terms needs a `justification` (CON-04)."""
    interaction = Interaction(
        contact=contact, kind=kind, occurred_at=occurred_at, subject=subject, body=body, author=author
    )
    flagged = _validate(interaction, old_body="", justification=justification)
    interaction.save()
    _refresh_last_interaction(contact.pk)
    free_text_justified(field="body", categories=flagged, justification=justification, contact_id=contact.pk)
    return interaction


def _validate(interaction: Interaction, *, old_body: str, justification: str) -> list[str]:
    """Model validation and the free-text check, every error reported at once."""
    _ok, flagged = collect_errors(
        interaction.full_clean,
        lambda: free_text_check(field="body", old=old_body, new=interaction.body, justification=justification),
    )
    return flagged


@transaction.atomic
def interaction_update(*, interaction: Interaction, justification: str = "", **data: Any) -> Interaction:
    old_body = interaction.body
    for name in ("kind", "occurred_at", "subject", "body"):
        if name in data:
            setattr(interaction, name, data[name])
    flagged = _validate(interaction, old_body=old_body, justification=justification)
    interaction.save()
    _refresh_last_interaction(interaction.contact_id)
    free_text_justified(
        field="body", categories=flagged, justification=justification, contact_id=interaction.contact_id
    )
    return interaction


@transaction.atomic
def interaction_delete(*, interaction: Interaction) -> None:
    contact_id = interaction.contact_id
    interaction.delete()
    _refresh_last_interaction(contact_id)
