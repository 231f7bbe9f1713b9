"""Contact points (emails, phones): normalised, encrypted, blind-indexed; an e-mail belongs to one contact."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.crypto import blind_index

from ..models import Contact, ContactPoint, ContactPointKind
from ..normalise import normalise_email, normalise_phone

NORMALISERS = {ContactPointKind.EMAIL: normalise_email, ContactPointKind.PHONE: normalise_phone}
FIELD_FOR_KIND = {ContactPointKind.EMAIL: "emails", ContactPointKind.PHONE: "phones"}


def normalise_points(kind: str, values: Sequence[str]) -> list[str]:
    """Normalise, drop blanks and repeats (order kept); raise one ValidationError listing every bad value."""
    normalised: list[str] = []
    errors: list[str] = []
    for raw in values:
        if not (raw or "").strip():
            continue
        try:
            value = NORMALISERS[kind](raw)
        except ValidationError:
            errors.append(_("“%(value)s” is not valid.") % {"value": raw.strip()[:80]})
            continue
        if value not in normalised:
            normalised.append(value)
    if errors:
        raise ValidationError({FIELD_FOR_KIND[kind]: errors})
    return normalised


def check_points_free(kind: str, values: Sequence[str], *, contact: Contact | None = None) -> None:
    """Refuse a value that already belongs to another contact (one address, one contact).

    Called for e-mails only: a phone number may be shared by several contacts.
    """
    indexes = {blind_index(value): value for value in values}
    taken = ContactPoint.objects.filter(kind=kind, value_index__in=indexes)
    if contact is not None:
        taken = taken.exclude(contact=contact)
    clashes = [indexes[index] for index in taken.values_list("value_index", flat=True)]
    if clashes:
        raise ValidationError(
            {
                FIELD_FOR_KIND[kind]: [
                    _("%(value)s already belongs to another contact.") % {"value": value} for value in clashes
                ]
            }
        )


def points_replace(*, contact: Contact, kind: str, values: Sequence[str]) -> bool:
    """Make the contact's points of `kind` exactly `values` (normalised); the first is primary.

    Returns whether anything changed.
    """
    wanted = {blind_index(value): value for value in values}
    current = {point.value_index: point for point in contact.points.filter(kind=kind)}
    changed = False
    for index, point in current.items():
        if index not in wanted:
            point.delete()
            changed = True
    primary_index = next(iter(wanted), None)
    for index, value in wanted.items():
        point = current.get(index)
        if point is None:
            changed = True
            # Demote first so the one-primary constraint holds at every step.
            if index == primary_index:
                _demote(contact, kind)
            ContactPoint.objects.create(
                contact=contact, kind=kind, value=value, value_index=index, is_primary=index == primary_index
            )
        elif point.is_primary != (index == primary_index):
            changed = True
            if index == primary_index:
                _demote(contact, kind)
            point.is_primary = index == primary_index
            point.save(update_fields=["is_primary"])
    return changed


def _demote(contact: Contact, kind: str) -> None:
    for point in contact.points.filter(kind=kind, is_primary=True):
        point.is_primary = False
        point.save(update_fields=["is_primary"])
