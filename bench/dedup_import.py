"""What the likely-duplicate warning costs an import: the same file imported with it and without it.

A generated supplier file (`crm.imports.samples`, 5 % bad rows) is imported
through `import_job_run` into the database as it is (use a copy of the bench
database: the import adds contacts to it). Ours: the import as shipped, each
chunk's new rows scored against the existing contacts they may duplicate
(`crm.dedup.jobs.likely_matches_many`). Baseline: the same import with that
step replaced by "no match". The contacts each import creates (and their pairs
in the review queue) are deleted after it, so both start from the same data.

    DATABASE_URL=postgres://.../<a copy> BENCH_IMPORT_ROWS=10000 .venv/bin/python bench/dedup_import.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def _import(path: Path, *, warn: bool) -> tuple[float, int, int]:
    from django.core.files import File

    from core.actors import Actor, acting_as
    from crm.imports import pipeline, services
    from crm.models import Contact, DuplicateCandidate

    before = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    queued_before = DuplicateCandidate.objects.count()
    original = pipeline._likely_matches
    if not warn:
        pipeline._likely_matches = lambda creates: [[] for _c in creates]
    try:
        with acting_as(Actor.job("bench_dedup_import")), path.open("rb") as handle:
            job = services.import_job_create(upload=File(handle, name=path.name), supplier=f"bench-{warn}")
            job = services.import_job_map(job=job, mapping=job.mapping)
            started = time.perf_counter()
            job = services.import_job_run(job=job)
            seconds = time.perf_counter() - started
    finally:
        pipeline._likely_matches = original
    warned = sum(1 for entry in job.report if entry["outcome"] == "likely_duplicate")
    queued = DuplicateCandidate.objects.count() - queued_before
    with acting_as(Actor.job("bench_dedup_import")):
        Contact.objects.filter(pk__gt=before).delete()
    return seconds, warned, queued


def main() -> None:
    common.setup_django(migrate=False)
    from crm.imports import samples
    from crm.models import Contact

    total = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
    rows = samples.sample_rows(total, seed=23, invalid_ratio=0.05, run=f"d{int(time.time())}")
    existing = Contact.objects.count()
    with tempfile.TemporaryDirectory() as folder:
        path = samples.write_csv(Path(folder) / "bench-dedup-import.csv", rows)
        load = os.getloadavg()[0]
        base, _w, _q = _import(path, warn=False)
        ours, warned, queued = _import(path, warn=True)
    print(
        f"{total:,} rows into {existing:,} contacts: with the warning {ours:.1f} s ({warned} rows warned, "
        f"{queued} pairs queued), without {base:.1f} s, ratio {ours / base:.2f}x; load {load:.1f} -> "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
