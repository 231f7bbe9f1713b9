"""Import of a generated CSV file through the real service, against a plain COPY of the same file.

The file looks like a supplier's French Excel export (14 columns, `;`, UTF-8
with BOM): names with accents, an e-mail per row, a national-format phone for
about 60% of rows, organisations, statuses, some birth dates, tags, external
ids, and 5% bad rows (bad e-mails, bad phones, missing names, bad dates,
in-file duplicates). `import_job_run` does everything a staff import does:
reading, validation with the services' rules, normalisation, encryption, blind
indexes, the duplicate check against the database and within the file, the
bulk COPY of contacts, points, external ids and tags with their history rows,
one transaction per 5,000-row chunk. Each chunk's time is a sample.

The baseline is PostgreSQL's own ceiling for the same bytes: `COPY` of the
same file, in the same 5,000-row slices, into a scratch table of 14 text
columns (no index, no constraint), dropped afterwards. The rows the import
creates are deleted afterwards, so the bench database keeps its size.
"""

from __future__ import annotations

import inspect
import io
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

DEFAULT_ROWS = 100_000
PER = 10_000  # figures are per 10,000 rows
SMOKE_ARGS = {"rows": 1_000}
SCRATCH = "bench_import_scratch"


def _free_phones(seed: int) -> object:
    """Fictional numbers not yet in the database (phones are unique: a taken one would make a duplicate row)."""
    from core.crypto import blind_index
    from crm.imports.samples import fiction_phones
    from crm.models import ContactPoint

    taken = set(ContactPoint.objects.filter(kind="phone").values_list("value_index", flat=True).iterator(20_000))
    return (
        number for number in fiction_phones(seed=seed) if blind_index("+33" + number.replace(" ", "")[1:]) not in taken
    )


def _baseline(path: Path, slice_rows: int) -> list[float]:
    """Seconds to COPY each `slice_rows`-row slice of the file into a scratch table of text columns."""
    from django.db import connection

    from crm.imports.samples import HEADERS

    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)[1:]
    columns = ", ".join(f"c{index} text" for index in range(len(HEADERS)))
    seconds = []
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}; CREATE TABLE {SCRATCH} ({columns})")
        try:
            for start in range(0, len(lines), slice_rows):
                buffer = io.StringIO("".join(lines[start : start + slice_rows]))
                started = time.perf_counter()
                cursor.copy_expert(f"COPY {SCRATCH} FROM STDIN WITH (FORMAT csv, DELIMITER ';')", buffer)
                seconds.append(time.perf_counter() - started)
        finally:
            cursor.execute(f"DROP TABLE {SCRATCH}")
    return seconds


def _cleanup(job_id: int, source_detail: str, stored: str) -> int:
    """Delete what the import created (contacts, points, external ids, tags links, their history, the job)."""
    from django.core.files.storage import default_storage
    from django.db import connection, transaction

    from crm.models import ImportJob

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM crm_contact WHERE source_detail = %s", [source_detail])
        ids = [pk for (pk,) in cursor.fetchall()]
        for table, column in (
            ("crm_contact_tags", "contact_id"),
            ("crm_historicalexternalid", "contact_id"),
            ("crm_externalid", "contact_id"),
            ("crm_historicalcontactpoint", "contact_id"),
            ("crm_contactpoint", "contact_id"),
            ("crm_historicalcontact", "id"),
            ("crm_contact", "id"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [ids])
        ImportJob.objects.filter(pk=job_id).delete()
        ImportJob.history.filter(id=job_id).delete()
    if stored and default_storage.exists(stored):
        default_storage.delete(stored)
    return len(ids)


def main(contacts: int | None = None, *, rows: int | None = None) -> common.Report:
    from django.core.files import File

    from core.actors import Actor, acting_as
    from crm.imports import samples, services
    from crm.imports.pipeline import CHUNK_SIZE, job_source_detail
    from crm.models import Contact

    contacts = contacts or common.bench_size()
    total = rows or int(os.environ.get("BENCH_IMPORT_ROWS", 0)) or min(DEFAULT_ROWS, contacts)
    run = f"b{int(time.time())}"
    generated = samples.sample_rows(total, seed=11, invalid_ratio=0.05, phones=_free_phones(seed=11), run=run)
    with_phone = sum(1 for row in generated if row.values[3] and row.problem != "bad_phone")
    existing = Contact.objects.count()
    with tempfile.TemporaryDirectory() as folder:
        path = samples.write_csv(Path(folder) / f"bench-import-{run}.csv", generated)
        baseline = _baseline(path, CHUNK_SIZE)
        chunks: list[tuple[int, float]] = []
        last = [time.perf_counter()]

        def progress(job: object, outcome: object) -> None:
            now = time.perf_counter()
            chunks.append((outcome.chunk_rows[-1], now - last[0]))
            last[0] = now

        with acting_as(Actor.job("bench_import")), path.open("rb") as handle:
            job = services.import_job_create(upload=File(handle, name=path.name), supplier="bench")
            job = services.import_job_map(job=job, mapping=job.mapping)
            stored = job.file.name
            started = last[0] = time.perf_counter()
            job = services.import_job_run(job=job, progress=progress)
            seconds = time.perf_counter() - started
    counts = job.run_counts
    removed = _cleanup(job.pk, job_source_detail(job), stored)
    metric = common.Metric(
        name=f"import, per {PER:,} rows",
        samples=[elapsed * 1000 * PER / size for size, elapsed in chunks],
        baseline=[elapsed * 1000 * PER / CHUNK_SIZE for elapsed in baseline],
        note=f"{len(chunks)} chunks of up to {CHUNK_SIZE:,} rows; baseline: plain COPY of the same file slices",
    )
    rate = total / seconds
    copy_rate = total / sum(baseline)
    return common.Report(
        title="Contact import (CSV, 5% bad rows)",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=[metric],
        notes=[
            f"Import of {total:,} rows: {seconds:.1f} s, {rate:,.0f} rows/s end to end (service call, file read "
            f"to job done) vs {copy_rate:,.0f} rows/s for the plain COPY: the import runs at 1/{copy_rate / rate:.0f} "
            "of COPY's rate.",
            f"Outcome: {counts['created']:,} created, {counts['skipped']:,} skipped (in-file duplicates), "
            f"{counts['rejected']:,} rejected; {with_phone:,} rows carried a valid phone number (fictional numbers "
            "still free in the database: phones are unique, and the generated base may have used them all).",
            f"Written on top of {existing:,} existing contacts; the {removed:,} imported contacts were deleted after.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
