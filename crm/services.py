"""Writes to the contact repository. Each runs in its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Contact

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "notes")


@transaction.atomic
def contact_create(**data: Any) -> Contact:
    contact = Contact(**{k: v for k, v in data.items() if k in CONTACT_FIELDS})
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, reason: str = "", **data: Any) -> Contact:
    """Apply changed fields; an unchanged form writes no history row."""
    changed = [name for name in CONTACT_FIELDS if name in data and getattr(contact, name) != data[name]]
    if not changed:
        return contact
    for name in changed:
        setattr(contact, name, data[name])
    contact.full_clean()
    contact._change_reason = reason or None
    contact.save()
    return contact
