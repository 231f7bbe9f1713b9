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

Two baselines, each timed per 5,000-row slice of the same file:

- PostgreSQL's own ceiling for the same bytes: `COPY` of the file's slice into
  a scratch table of 14 text columns (no index, no constraint), dropped
  afterwards;
- the database's own cost of writing the same contacts into the same indexed
  tables: the slice's rows that the import creates (valid, not in-file
  duplicates), validated and normalised, their e-mail encrypted and
  blind-indexed beforehand, are written by the generator's `CopyWriter` as
  one COPY into crm_contact (ids from its sequence, search keys, provenance)
  and one into crm_contactpoint (the primary e-mail); no validation, no
  encryption, no history, no phones, external ids or tags in the timed part.
  Each slice is its own transaction, rolled back after timing (the rollback is
  not timed).

The rows the import creates are deleted afterwards, so the bench database
keeps its size.
"""

from __future__ import annotations

import inspect
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def _real_rows(job: Any) -> list[tuple[int, list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per slice of the job's file: (file rows, contact rows, e-mail rows) the import would create, built untimed.

    Rows are validated with the import's own validator; rejected rows and
    in-file duplicates are left out (the import skips them). Values are
    normalised, search keys computed, the e-mail encrypted (as a Ciphertext,
    which the COPY stores as it is) and blind-indexed.
    """
    from django.utils import timezone

    from core.crypto import Ciphertext, encrypt
    from crm.imports.pipeline import CHUNK_SIZE, job_source_detail, job_system
    from crm.imports.readers import open_table
    from crm.imports.validation import RowValidator
    from crm.models import Contact, ContactPointKind, Organisation, SourceKind, search_key

    system = job_system(job)
    validator = RowValidator(
        columns=job.columns, mapping=job.mapping, source_detail=job_source_detail(job), system=system
    )
    now = timezone.now()
    defaults = {name: Contact._meta.get_field(name).get_default() for name in ("kind", "status", "preferred_language")}
    rows = list(open_table(job.file.path, job.format).rows)
    candidates = [candidate for candidate, _reasons in (validator.validate(line, values) for line, values in rows)]
    names = {search_key(c.organisation) for c in candidates if c is not None and c.organisation}
    organisations = dict(Organisation.objects.filter(name_key__in=names).order_by("-id").values_list("name_key", "id"))
    seen: set[tuple[str, str]] = set()
    slices = []
    for start in range(0, len(rows), CHUNK_SIZE):
        contacts: list[dict[str, Any]] = []
        emails: list[dict[str, Any]] = []
        for candidate in candidates[start : start + CHUNK_SIZE]:
            if candidate is None:
                continue
            keys = candidate.keys(system)
            if seen.intersection(keys):
                continue
            seen.update(keys)
            get = candidate.fields.get
            first, last = candidate.fields["first_name"], candidate.fields["last_name"]
            contacts.append(
                {
                    "first_name": first,
                    "last_name": last,
                    "first_name_key": search_key(first),
                    "last_name_key": search_key(last),
                    "kind": get("kind") or defaults["kind"],
                    "status": get("status") or defaults["status"],
                    "organisation_id": organisations.get(search_key(candidate.organisation)),
                    "job_title": get("job_title", ""),
                    "preferred_language": get("preferred_language") or defaults["preferred_language"],
                    "birth_date": get("birth_date"),
                    "street": get("street", ""),
                    "postal_code": get("postal_code", ""),
                    "city": get("city", ""),
                    "country": get("country", ""),
                    "owner_id": job.created_by_id,
                    "notes": "",
                    "source": SourceKind.IMPORT,
                    "source_detail": get("source_detail", ""),
                    "collected_at": now,
                    "restricted": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            emails.append(
                {
                    "kind": ContactPointKind.EMAIL,
                    "value": Ciphertext(encrypt(candidate.emails[0])),
                    "value_index": candidate.email_indexes[0],
                    "label": "",
                    "is_primary": True,
                    "created_at": now,
                }
            )
        slices.append((len(rows[start : start + CHUNK_SIZE]), contacts, emails))
    return slices


def _real_baseline(slices: list[tuple[int, list[dict[str, Any]], list[dict[str, Any]]]]) -> list[float]:
    """Seconds to COPY each slice's contacts and e-mails into crm_contact and crm_contactpoint, rolled back."""
    from django.db import transaction

    from crm.generation.writers import CopyWriter
    from crm.models import Contact, ContactPoint

    seconds = []
    for _size, contacts, emails in slices:
        writer = CopyWriter()
        with transaction.atomic():
            started = time.perf_counter()
            writer.insert(Contact, contacts, assign_ids=True)
            for contact, email in zip(contacts, emails, strict=True):
                email["contact_id"] = contact["id"]
            writer.insert(ContactPoint, emails, assign_ids=True)
            seconds.append(time.perf_counter() - started)
            transaction.set_rollback(True)
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
            slices = _real_rows(job)
            real = _real_baseline(slices)
            started = last[0] = time.perf_counter()
            job = services.import_job_run(job=job, progress=progress)
            seconds = time.perf_counter() - started
    counts = job.run_counts
    removed = _cleanup(job.pk, job_source_detail(job), stored)
    samples = [elapsed * 1000 * PER / size for size, elapsed in chunks]
    metrics = [
        common.Metric(
            name=f"import, per {PER:,} rows",
            samples=samples,
            baseline=[elapsed * 1000 * PER / CHUNK_SIZE for elapsed in baseline],
            note=f"{len(chunks)} chunks of up to {CHUNK_SIZE:,} rows; baseline: plain COPY of the same file slices",
        ),
        common.Metric(
            name=f"import, per {PER:,} rows, vs COPY into the real tables",
            samples=samples,
            baseline=[elapsed * 1000 * PER / size for (size, _c, _e), elapsed in zip(slices, real, strict=True)],
            note=(
                "baseline: COPY of the slices' new contacts into crm_contact and their e-mails into "
                "crm_contactpoint (CopyWriter), rolled back"
            ),
        ),
    ]
    rate = total / seconds
    copy_rate = total / sum(baseline)
    real_rate = total / sum(real)
    written = sum(len(contacts) for _size, contacts, _emails in slices)
    return common.Report(
        title="Contact import (CSV, 5% bad rows)",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=[
            f"Import of {total:,} rows: {seconds:.1f} s, {rate:,.0f} rows/s end to end (service call, file read "
            f"to job done) vs {copy_rate:,.0f} rows/s for the plain COPY into the scratch table: the import runs at "
            f"1/{copy_rate / rate:.0f} of that COPY's rate.",
            f"COPY into the real tables: {written:,} contacts and as many e-mails (the rows the import creates) "
            f"from the {total:,}-row file in {sum(real):.1f} s, {real_rate:,.0f} file rows/s "
            f"({written / sum(real):,.0f} contacts/s): the import runs at 1/{real_rate / rate:.1f} of that COPY's "
            f"rate, i.e. at {rate / real_rate:.0%} of it.",
            f"Outcome: {counts['created']:,} created, {counts['skipped']:,} skipped (in-file duplicates), "
            f"{counts['rejected']:,} rejected; {with_phone:,} rows carried a valid phone number (fictional numbers "
            "still free in the database: phones are unique, and the generated base may have used them all).",
            f"Written on top of {existing:,} existing contacts; the {removed:,} imported contacts were deleted after.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
