"""Writes to contacts. Each is one transaction; GDPR-relevant ones write an AuditEvent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import audit_event_record

from ..models import Contact, ContactPointKind, ExternalId, NotificationCause, SourceKind, Tag
from ..normalise import normalise_country
from .free_text import free_text_check, free_text_justified
from .points import FIELD_FOR_KIND, check_points_free, normalise_points, points_replace
from .recipients import recipient_notifications_open
from .validation import collect_errors

# The person's own fields, as forms, the API and imports set them.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "kind",
    "status",
    "organisation",
    "job_title",
    "preferred_language",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
)
# Provenance (CON-01): where the data came from and when; set once, at creation.
PROVENANCE_FIELDS = ("source", "source_detail", "collected_at")
# Every field a caller may set directly on a Contact.
CONTACT_FIELDS = (*PROFILE_FIELDS, "owner", "notes", *PROVENANCE_FIELDS)
RESTORE_WINDOW = timedelta(days=30)
RESTORE_DAYS = RESTORE_WINDOW.days


def _check_contact_fields(data: dict[str, Any]) -> None:
    """Refuse unknown fields; normalise those stored in one form (the country code)."""
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    if "country" in data:
        data["country"] = normalise_country(data["country"])


def contact_create(
    *,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    tags: Sequence[Tag] = (),
    external_ids: dict[str, str] | None = None,
    reason: str = "",
    justification: str = "",
    **data: Any,
) -> Contact:
    """Create a contact with its contact points; every problem comes back as a field error.

    Notes with sensitive terms need a `justification` (CON-04), which is logged.
    """
    _check_contact_fields(data)
    data.setdefault("source", SourceKind.MANUAL)
    if data.get("collected_at") is None:
        data["collected_at"] = timezone.now()
    contact = Contact(**data)
    with transaction.atomic():
        email_values, phone_values, _ok, flagged = collect_errors(
            lambda: normalise_points(ContactPointKind.EMAIL, emails),
            lambda: normalise_points(ContactPointKind.PHONE, phones),
            lambda: contact.full_clean(exclude=["first_name_key", "last_name_key"]),
            lambda: free_text_check(field="notes", old="", new=contact.notes, justification=justification),
        )
        # Phone numbers may be shared (switchboards, households): only e-mails and external ids are unique.
        collect_errors(
            lambda: check_points_free(ContactPointKind.EMAIL, email_values),
            lambda: _check_external_ids_free(external_ids or {}),
        )
        contact._change_reason = reason or None
        contact.save()
        points_replace(contact=contact, kind=ContactPointKind.EMAIL, values=email_values)
        points_replace(contact=contact, kind=ContactPointKind.PHONE, values=phone_values)
        if tags:
            contact.tags.add(*tags)
        for system, value in (external_ids or {}).items():
            ExternalId.objects.create(contact=contact, system=system, value=value)
        free_text_justified(field="notes", categories=flagged, justification=justification, contact_id=contact.pk)
    return contact


def contact_update(
    *,
    contact: Contact,
    emails: Sequence[str] | None = None,
    phones: Sequence[str] | None = None,
    tags: Sequence[Tag] | None = None,
    reason: str = "",
    justification: str = "",
    **data: Any,
) -> Contact:
    """Apply changed fields and, when given, the full list of emails, phones and tags.

    An unchanged submission writes no history row. Changed notes with sensitive
    terms need a `justification` (CON-04), which is logged.
    """
    _check_contact_fields(data)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        old_notes = contact.notes
        changed = [name for name, value in data.items() if getattr(contact, name) != value]
        for name in changed:
            setattr(contact, name, data[name])
        email_values, phone_values, _ok, flagged = collect_errors(
            lambda: normalise_points(ContactPointKind.EMAIL, emails) if emails is not None else None,
            lambda: normalise_points(ContactPointKind.PHONE, phones) if phones is not None else None,
            lambda: contact.full_clean(exclude=["first_name_key", "last_name_key"]),
            lambda: free_text_check(field="notes", old=old_notes, new=contact.notes, justification=justification),
        )
        check_points_free(ContactPointKind.EMAIL, email_values or [], contact=contact)
        for kind, values in ((ContactPointKind.EMAIL, email_values), (ContactPointKind.PHONE, phone_values)):
            if values is not None and points_replace(contact=contact, kind=kind, values=values):
                changed.append(FIELD_FOR_KIND[kind])
        if changed:
            # Also when only emails or phones changed: updated_at moves and the history shows who and why.
            contact._change_reason = reason or (None if set(changed) & set(data) else f"changed {', '.join(changed)}")
            contact.save()
            # Art. 19: every recipient of a changed field is to be told (CON-05).
            recipient_notifications_open(contact=contact, cause=NotificationCause.RECTIFICATION, fields=changed)
        if tags is not None:
            contact.tags.set(tags)
        free_text_justified(field="notes", categories=flagged, justification=justification, contact_id=contact.pk)
    return contact


def _check_external_ids_free(external_ids: dict[str, str]) -> None:
    for system, value in external_ids.items():
        if ExternalId.objects.filter(system=system, value=value).exists():
            raise ValidationError(
                {
                    "external_ids": [
                        _("%(system)s id %(value)s already belongs to a contact.") % {"system": system, "value": value}
                    ]
                }
            )


@transaction.atomic
def contact_delete(*, contact: Contact, reason: str = "") -> Contact:
    """A staff delete: the contact leaves every list but can be restored for 30 days.

    GDPR erasure is a separate path (crm.subject_data.subject_data_erase).
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.deleted_at is None:
        contact.deleted_at = timezone.now()
        contact._change_reason = reason or "deleted by staff"
        contact.save()
        audit_event_record(action="contact.deleted", obj=contact, subject_id=contact.pk, note=reason)
    return contact


@transaction.atomic
def contact_restore(*, contact: Contact, now: datetime | None = None) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    now = now or timezone.now()
    if contact.deleted_at is None:
        return contact
    if contact.deleted_at < now - RESTORE_WINDOW:
        raise ValidationError(
            ngettext(
                "This contact was deleted more than %(days)d day ago and can no longer be restored.",
                "This contact was deleted more than %(days)d days ago and can no longer be restored.",
                RESTORE_DAYS,
            )
            % {"days": RESTORE_DAYS}
        )
    contact.deleted_at = None
    contact._change_reason = "restored by staff"
    contact.save()
    audit_event_record(action="contact.restored", obj=contact, subject_id=contact.pk)
    return contact
