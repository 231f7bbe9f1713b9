"""The purge ledger (RET-08): which contact ids were purged or erased, in the database and in a file.

The table shows the ledger in the UI; the file, appended before the purge's
transaction commits and kept outside the database, is what survives restoring a
backup taken before the purge. A file line whose transaction then rolled back
names a contact that was due for purge anyway, so replaying it errs on the side
of the person.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from crm.models import Contact

from .engine import int_array, purge_contacts
from .models import EndAction, LedgerAction, PurgeLedgerEntry


def _ledger_path() -> Path:
    return Path(settings.RETENTION_LEDGER_PATH)


def ledger_append(pks: Iterable[int], *, action: str, run_id: int | None, recorded_at: datetime) -> None:
    """Append to the file (flushed to disk), then to the table in the caller's transaction."""
    pks = list(pks)
    if not pks:
        return
    _file_append(pks, action=action, recorded_at=recorded_at)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PurgeLedgerEntry._meta.db_table} (contact_id, action, run_id, recorded_at) "
                "SELECT unnest(%s::bigint[]), %s, %s, %s",
                [int_array(pks), action, run_id, recorded_at],
            )
        return
    PurgeLedgerEntry.objects.bulk_create(
        PurgeLedgerEntry(contact_id=pk, action=action, run_id=run_id, recorded_at=recorded_at) for pk in pks
    )


def _file_append(pks: list[int], *, action: str, recorded_at: datetime) -> None:
    path = _ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    at = recorded_at.isoformat()
    lines = "".join(json.dumps({"contact": pk, "action": action, "at": at}) + "\n" for pk in pks)
    with path.open("a", encoding="utf-8") as ledger:
        ledger.write(lines)
        ledger.flush()
        os.fsync(ledger.fileno())


def ledger_entries(since: datetime) -> Iterator[tuple[int, str]]:
    """(contact id, action) recorded at or after `since`, from the file and from the table."""
    path = _ledger_path()
    if path.exists():
        with path.open(encoding="utf-8") as ledger:
            for line in ledger:
                entry = json.loads(line)
                if datetime.fromisoformat(entry["at"]) >= since:
                    yield entry["contact"], entry["action"]
    yield from PurgeLedgerEntry.objects.filter(recorded_at__gte=since).values_list("contact_id", "action").iterator()


def erasures_replay(*, since: datetime, batch_size: int = 2000) -> dict[str, int]:
    """Purge again every ledgered contact that a restore brought back; returns counts per action.

    A contact ledgered as anonymised is anonymised again; deleted or erased, it is deleted.
    """
    wanted: dict[int, str] = {}
    for contact_id, action in ledger_entries(since):
        # Deleted or erased wins over anonymised: the stronger action is replayed.
        if action != LedgerAction.ANONYMISED or contact_id not in wanted:
            wanted[contact_id] = action
    counts = dict.fromkeys(LedgerAction.values, 0)
    for action in LedgerAction.values:
        ids = sorted(pk for pk, wanted_action in wanted.items() if wanted_action == action)
        for start in range(0, len(ids), batch_size):
            counts[action] += _replay_batch(ids[start : start + batch_size], action)
    return counts


def _replay_batch(ids: list[int], action: str) -> int:
    end_action = EndAction.ANONYMISE if action == LedgerAction.ANONYMISED else EndAction.DELETE
    with transaction.atomic():
        present = list(Contact.objects.filter(pk__in=ids).select_for_update().values_list("pk", flat=True))
        if end_action == EndAction.ANONYMISE:
            from .engine import anonymised_contacts

            present = list(
                Contact.objects.filter(pk__in=present).exclude(anonymised_contacts()).values_list("pk", flat=True)
            )
        if present:
            purge_contacts(present, end_action=end_action)
    return len(present)
