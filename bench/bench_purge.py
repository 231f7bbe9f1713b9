"""Retention purge: anonymise expired prospects with their history, against hand-written SQL.

The bench writes its own prospects by SQL (BENCH_PURGE_CONTACTS, default
1,000,000; collected four years ago, marked `source_detail = 'bench-purge'`),
each with one history row, so it never touches the data set's contacts. The
baseline is the least a purge can do on these rows: one `UPDATE` blanking the
contacts' personal columns and one `DELETE` of their history rows, timed in a
transaction that is then rolled back. The engine then purges the same rows for
real through a temporary policy ("anonymise" at the end), as the workers do:
batches of ids, one transaction each, every table of the subject-data map
visited (the bench contacts have no e-mails or interactions: the other tables'
statements find nothing), the history purged, and the purge ledger appended
(table and file). The bench rows are deleted at the end.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os

from bench import common

MARKER = "bench-purge"
BATCH = 10_000
SMOKE_ARGS = {"purge": 2_000}

BASELINE_SQL = [
    """UPDATE crm_contact SET first_name = '', last_name = '', first_name_key = '', last_name_key = '',
       job_title = '', birth_date = NULL, street = '', postal_code = '', city = '', notes = '', source_detail = '',
       collected_at = NULL, last_interaction_at = NULL, restriction_reason = '', organisation_id = NULL,
       art14_notice_sent_at = NULL, restriction_lift_notified_at = NULL, restricted = false, restricted_at = NULL
       WHERE id = ANY(%s)""",
    "DELETE FROM crm_historicalcontact WHERE id = ANY(%s)",
]


def _generate(count: int) -> list[int]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO crm_contact (first_name, last_name, first_name_key, last_name_key, kind, status, job_title,
                   preferred_language, birth_date, street, postal_code, city, country, notes, source, source_detail,
                   collected_at, restricted, restriction_reason, created_at, updated_at)
               SELECT 'Anna' || n, 'Bench' || n, 'anna' || n, 'bench' || n, 'consumer', 'prospect', 'Buyer', 'fr',
                   DATE '1980-01-01' + (n %% 9000), n || ' rue de la Paix', '75002', 'Paris', 'FR', '', 'import', %s,
                   now() - interval '4 years', false, '', now() - interval '4 years', now()
               FROM generate_series(1, %s) AS n
               RETURNING id""",
            [MARKER, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """SELECT column_name FROM information_schema.columns
               WHERE table_name = 'crm_historicalcontact' AND column_name IN
                   (SELECT column_name FROM information_schema.columns WHERE table_name = 'crm_contact')"""
        )
        columns = ", ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"""INSERT INTO crm_historicalcontact ({columns}, history_date, history_type, history_actor_kind,
                   history_actor_label, history_change_reason)
               SELECT {columns}, now(), '+', 'job', 'bench', NULL FROM crm_contact WHERE id = ANY(%s)""",
            [ids],
        )
    return ids


def _baseline(ids: list[int]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in BASELINE_SQL:
                cursor.execute(sql, [ids])
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


class _Rollback(Exception):
    pass


def _engine(batch: int) -> tuple[float, Any]:
    from django.conf import settings

    from retention import selectors
    from retention.models import PurgeRun, RetentionPolicy, RunStatus
    from retention.services import purge_run_batch

    selectors.TARGETS["bench"] = lambda cutoff: selectors.TARGETS["prospects"](cutoff).filter(source_detail=MARKER)
    policy = RetentionPolicy.objects.create(
        key=MARKER,
        name="bench",
        category="identity",
        target="bench",
        period_months=36,
        start_event="last_inbound",
        end_action="anonymise",
        legal_reference="bench",
        approved_version=1,
    )
    cutoff = selectors.policy_cutoff(policy)
    run = PurgeRun.objects.create(policy=policy, policy_version=1, cutoff=cutoff, status=RunStatus.QUEUED)
    settings.RETENTION_LEDGER_PATH = Path(tempfile.mkdtemp(prefix="bench-ledger-")) / "ledger.jsonl"
    started = time.perf_counter()
    while purge_run_batch(run_id=run.pk, batch_size=batch):
        pass
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    return elapsed, run


def _cleanup(ids: list[int]) -> None:
    """Remove the bench's rows, this run's or those an interrupted run left."""
    from django.db import connection, transaction

    from retention.models import PurgeLedgerEntry, PurgeRun, RetentionPolicy

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_historicalcontact WHERE source_detail = %s", [MARKER])
        # Two statements: `id = ANY(…) OR …` cannot use the primary key, and comparing each of a million rows
        # with a 100,000-id array took longer than the bench itself.
        cursor.execute("DELETE FROM crm_contact WHERE id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM crm_contact WHERE source_detail = %s", [MARKER])
        runs = PurgeRun.objects.filter(policy__key=MARKER)
        PurgeLedgerEntry.objects.filter(run__in=runs).delete()
        PurgeRun.history.filter(policy_id__in=RetentionPolicy.objects.filter(key=MARKER).values("pk")).delete()
        runs.delete()
        RetentionPolicy.history.filter(key=MARKER).delete()
        RetentionPolicy.objects.filter(key=MARKER).delete()


def main(contacts: int | None = None, *, purge: int | None = None, batch: int = BATCH) -> common.Report:
    count = purge or int(os.environ.get("BENCH_PURGE_CONTACTS", "1000000"))
    _cleanup([])
    started = time.perf_counter()
    ids = _generate(count)
    generated = time.perf_counter() - started
    sql_seconds = _baseline(ids)
    engine_seconds, run = _engine(batch)
    _cleanup(ids)
    assert run.processed == count, (run.processed, count)
    engine_rate, sql_rate = count / engine_seconds, count / sql_seconds
    metric = common.Metric(
        name=f"anonymise {count:,} expired prospects, history included",
        samples=[engine_seconds * 1000],
        baseline=[sql_seconds * 1000],
        note=f"{engine_rate:,.0f} contacts/s; SQL {sql_rate:,.0f}/s; engine at {engine_rate / sql_rate:.0%} of SQL",
    )
    return common.Report(
        title="Retention purge",
        description=__doc__.strip().split("\n\n", 1)[1],
        metrics=[metric],
        notes=[
            f"{count:,} bench prospects written by SQL with their history in {generated:.1f} s; batches of {batch:,}",
            f"rows per table: {run.counts}",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
