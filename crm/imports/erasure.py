"""An import does not re-create a person erased after its upload.

When a contact is erased while some import is pending (not finished, not
expired), the blind indexes (keyed HMACs, no plaintext) of the contact's e-mail
addresses and phone numbers are kept as `ErasedImportKey` rows. An import
uploaded before that erasure reports the rows holding one of them as "erased"
and skips them, in its dry run and its run; the mapping page shows no sample
from them. The keys go once no import uploaded before them is pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min, QuerySet
from django.utils import timezone

from core.crypto import blind_index

from ..models import Contact, ContactPoint, ErasedImportKey, ImportJob, ImportStatus
from ..normalise import normalise_email, normalise_phone


def pending_import_jobs() -> QuerySet[ImportJob]:
    return ImportJob.objects.exclude(status=ImportStatus.DONE).filter(expired_at__isnull=True)


def import_keys_remember_erased(*, contact: Contact) -> int:
    """Keep the contact's point indexes for the pending imports (none when nothing is pending); returns how many."""
    if not pending_import_jobs().exists():
        return 0
    keys = set(ContactPoint.objects.filter(contact=contact).values_list("value_index", flat=True))
    now = timezone.now()
    ErasedImportKey.objects.bulk_create(ErasedImportKey(value_index=key, erased_at=now) for key in keys)
    return len(keys)


def import_keys_forget_unneeded() -> int:
    """Delete the keys no pending import needs (each erased before the oldest pending upload); returns how many."""
    oldest = pending_import_jobs().aggregate(oldest=Min("created_at"))["oldest"]
    keys = ErasedImportKey.objects.all() if oldest is None else ErasedImportKey.objects.filter(erased_at__lt=oldest)
    deleted, _ = keys.delete()
    return deleted


def erased_since_upload(job: ImportJob) -> set[str]:
    """The indexes of people erased since this job's file was uploaded."""
    return set(ErasedImportKey.objects.filter(erased_at__gte=job.created_at).values_list("value_index", flat=True))


def on_contact_erasing(sender: Any, *, contact: Contact, **kwargs: Any) -> None:
    import_keys_remember_erased(contact=contact)


def cell_indexes(value: str) -> set[str]:
    """The blind indexes a cell would have as an e-mail address or as a phone number (each part of "a; b")."""
    indexes = set()
    for part in filter(None, (piece.strip() for piece in value.split(";"))):
        for normalise in (normalise_email, normalise_phone):
            try:
                indexes.add(blind_index(normalise(part)))
            except ValidationError:
                continue
    return indexes


def holds_erased(values: Iterable[str], erased: set[str]) -> bool:
    """Whether a row of cells holds an erased e-mail address or phone number (any column)."""
    return bool(erased) and any(cell_indexes(value) & erased for value in values if value.strip())
