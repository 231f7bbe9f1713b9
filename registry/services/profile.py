"""Writes to the register's header (the organisation profile) and to the recipients."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from core.audit import audit_event_record

from ..models import OrganisationProfile, Recipient

M = TypeVar("M", bound=models.Model)


def _apply(instance: M, data: dict[str, Any]) -> list[str]:
    """Set the fields that differ (all of them on a new row), validate, save; the names changed ([]: nothing saved)."""
    changed = [name for name, value in data.items() if instance.pk is None or getattr(instance, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(instance, name, data[name])
    instance.full_clean()
    instance.save()
    return changed


@transaction.atomic
def organisation_profile_save(*, data: dict[str, Any]) -> OrganisationProfile:
    """Create or update the one profile row; ValidationError keyed by field on bad input."""
    profile = OrganisationProfile.objects.select_for_update().order_by("pk").first() or OrganisationProfile()
    changed = _apply(profile, data)
    if changed:
        audit_event_record(action="registry.profile_updated", obj=profile, data={"fields": changed})
    return profile


@transaction.atomic
def recipient_save(*, data: dict[str, Any], recipient: Recipient | None = None) -> Recipient:
    """Create a recipient or update one; the country is trimmed and upper-cased; ValidationError by field."""
    data = {**data, "country": (data.get("country") or "").strip().upper()} if "country" in data else data
    recipient = Recipient.objects.select_for_update().get(pk=recipient.pk) if recipient else Recipient()
    created = recipient.pk is None
    changed = _apply(recipient, data)
    if changed:
        audit_event_record(
            action="registry.recipient_created" if created else "registry.recipient_updated",
            obj=recipient,
            data={"name": recipient.name, "fields": changed},
        )
    return recipient
