"""Writes to the register's header (the organisation profile) and to the recipients."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.audit import audit_event_record

from ..models import OrganisationProfile, Recipient


def _changed(instance: Any, data: dict[str, Any]) -> list[str]:
    return [name for name, value in data.items() if getattr(instance, name) != value]


@transaction.atomic
def organisation_profile_save(*, data: dict[str, Any]) -> OrganisationProfile:
    """Create or update the one profile row; ValidationError keyed by field on bad input."""
    profile = OrganisationProfile.objects.select_for_update().order_by("pk").first() or OrganisationProfile()
    changed = _changed(profile, data) if profile.pk else list(data)
    if profile.pk and not changed:
        return profile
    for name in changed:
        setattr(profile, name, data[name])
    profile.full_clean()
    profile.save()
    audit_event_record(action="registry.profile_updated", obj=profile, data={"fields": changed})
    return profile


@transaction.atomic
def recipient_save(*, data: dict[str, Any], recipient: Recipient | None = None) -> Recipient:
    """Create a recipient or update one; the country is trimmed and upper-cased; ValidationError by field."""
    data = {**data, "country": (data.get("country") or "").strip().upper()} if "country" in data else data
    recipient = Recipient.objects.select_for_update().get(pk=recipient.pk) if recipient else Recipient()
    changed = _changed(recipient, data) if recipient.pk else list(data)
    if recipient.pk and not changed:
        return recipient
    for name in changed:
        setattr(recipient, name, data[name])
    recipient.full_clean()
    created = recipient.pk is None
    recipient.save()
    audit_event_record(
        action="registry.recipient_created" if created else "registry.recipient_updated",
        obj=recipient,
        data={"name": recipient.name, "fields": changed},
    )
    return recipient
