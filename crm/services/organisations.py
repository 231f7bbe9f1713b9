"""Writes to organisations (legal persons: no personal data, but tracked in history)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Contact, Organisation
from ..normalise import normalise_country

ORGANISATION_FIELDS = ("name", "legal_id", "website", "street", "postal_code", "city", "country")


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    if "country" in data:
        data["country"] = normalise_country(data["country"])


@transaction.atomic
def organisation_create(**data: Any) -> Organisation:
    _check_fields(data)
    organisation = Organisation(**data)
    organisation.full_clean(exclude=["name_key"])
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **data: Any) -> Organisation:
    """Apply the changed fields; an unchanged submission writes no history row."""
    _check_fields(data)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in data.items() if getattr(organisation, name) != value]
    if changed:
        for name in changed:
            setattr(organisation, name, data[name])
        organisation.full_clean(exclude=["name_key"])
        organisation.save()
    return organisation


@transaction.atomic
def organisation_delete(*, organisation: Organisation) -> None:
    """Delete an organisation no contact belongs to any more.

    Contacts (soft-deleted ones included) must be moved first: deleting the row
    would unlink them with a plain UPDATE that leaves no trace in their history.
    """
    attached = Contact.objects.filter(organisation=organisation).count()
    if attached:
        raise ValidationError(
            _("%(count)d contact(s) still belong to this organisation; move them to another one first.")
            % {"count": attached}
        )
    organisation.delete()
