"""The cost of the tamper-evident audit trail: writing a chained event, and verifying the whole chain.

Writing: `audit_event_record` (advisory lock, read of the chain's head, SHA-256, insert), each call in its own
transaction as a service does, against the baseline of the same event inserted by the ORM without the chain
link. Both are rolled back after the measurement (the database refuses to delete audit events), so commit
time is left out of both sides.

Verifying: `verify_audit()` over every event in the database (at least VERIFY_EVENTS, added through
`audit_event_record` when missing), against the baseline of reading the same columns in the same order
without hashing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

VERIFY_EVENTS = 50_000
SMOKE_ARGS = {"repeat": 20, "verify_events": 500, "verify_repeat": 2}


class _Rollback(Exception):
    pass


def _rolled_back(func: Any) -> Any:
    from django.db import transaction

    def run() -> None:
        try:
            with transaction.atomic():
                func()
                raise _Rollback
        except _Rollback:
            pass

    return run


def _chained() -> None:
    from core.audit import audit_event_record

    audit_event_record(action="bench.event", data={"count": 3, "fields": ["email"]})


def _unchained() -> None:
    from core.models import AuditEvent

    AuditEvent(
        action="bench.event", actor_kind="job", actor_label="bench", data={"count": 3, "fields": ["email"]}
    ).save()


def ensure_events(count: int) -> int:
    from django.db import transaction

    from core.audit import audit_event_record
    from core.models import AuditEvent

    missing = count - AuditEvent.objects.count()
    for start in range(0, max(missing, 0), 5000):
        with transaction.atomic():
            for number in range(start, min(start + 5000, missing)):
                audit_event_record(action="bench.filled", data={"n": number})
    return AuditEvent.objects.count()


def _read_only() -> None:
    from core.models import AuditEvent

    for _row in AuditEvent.objects.order_by("id").values_list("id", "digest", "data").iterator(chunk_size=5000):
        pass


def main(
    contacts: int | None = None, *, repeat: int = 300, verify_events: int = VERIFY_EVENTS, verify_repeat: int = 5
) -> common.Report:
    from core.audit_chain import verify_audit

    events = ensure_events(verify_events)
    report = verify_audit()
    metrics = [
        common.Metric(
            "Write one audit event (its own transaction, rolled back)",
            common.time_calls(_rolled_back(_chained), repeat=repeat),
            common.time_calls(_rolled_back(_unchained), repeat=repeat),
            note="baseline: the same insert without the chain link",
        ),
        common.Metric(
            f"verify_audit over {events:,} events",
            common.time_calls(verify_audit, repeat=verify_repeat, warmup=1),
            common.time_calls(_read_only, repeat=verify_repeat, warmup=1),
            note="baseline: reading the same rows in id order without hashing",
        ),
    ]
    return common.Report(
        title="Audit trail: chained writes and verification",
        description=__doc__.strip().split("\n\n", 1)[1].replace("\n", " "),
        metrics=metrics,
        notes=[
            f"The chain was {'intact' if report.intact else 'BROKEN at ' + str(report.broken_at)} when measured.",
            f"1-min load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end: the machine is shared "
            "with other engineers' test runs, so the figures are noisy; the ratios matter more.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
