"""An import does not re-create a person erased after its upload.

When a contact is erased, every pending import job (not finished, not expired)
remembers the blind indexes (keyed HMACs, no plaintext) of the contact's e-mail
addresses and phone numbers. The job's dry run and run report rows holding one
of them as "erased" and skip them; the mapping page shows no sample from them.
The indexes go with the job: when it finishes, is deleted or expires.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from core.crypto import blind_index

from ..models import Contact, ContactPoint, ImportJob, ImportStatus
from ..normalise import normalise_email, normalise_phone


def pending_import_jobs() -> Any:
    return ImportJob.objects.exclude(status=ImportStatus.DONE).filter(expired_at__isnull=True)


def import_jobs_remember_erased(*, contact: Contact) -> int:
    """Add the contact's point indexes to every pending job's erased keys; returns how many jobs."""
    keys = set(ContactPoint.objects.filter(contact=contact).values_list("value_index", flat=True))
    if not keys:
        return 0
    count = 0
    for job in pending_import_jobs().select_for_update().only("pk", "erased_keys"):
        # .update(): the keys are excluded from the job's history, and this is no change of the job's own.
        ImportJob.objects.filter(pk=job.pk).update(erased_keys=sorted(keys | set(job.erased_keys)))
        count += 1
    return count


def on_contact_erasing(sender: Any, *, contact: Contact, **kwargs: Any) -> None:
    import_jobs_remember_erased(contact=contact)


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
