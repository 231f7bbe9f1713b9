from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from ..models import Contact, Interaction


def _refresh_last_interaction(contact_id: int) -> None:
    # A derived value: written with update() so it adds no history row of its own.
    latest = Interaction.objects.filter(contact_id=contact_id).aggregate(latest=Max("occurred_at"))["latest"]
    Contact.objects.filter(pk=contact_id).update(last_interaction_at=latest)


@transaction.atomic
def interaction_create(
    *, contact: Contact, kind: str, occurred_at: datetime, subject: str, body: str = "", author: Any = None
) -> Interaction:
    interaction = Interaction(
        contact=contact, kind=kind, occurred_at=occurred_at, subject=subject, body=body, author=author
    )
    interaction.full_clean()
    interaction.save()
    _refresh_last_interaction(contact.pk)
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, **data: Any) -> Interaction:
    for name in ("kind", "occurred_at", "subject", "body"):
        if name in data:
            setattr(interaction, name, data[name])
    interaction.full_clean()
    interaction.save()
    _refresh_last_interaction(interaction.contact_id)
    return interaction


@transaction.atomic
def interaction_delete(*, interaction: Interaction) -> None:
    contact_id = interaction.contact_id
    interaction.delete()
    _refresh_last_interaction(contact_id)
