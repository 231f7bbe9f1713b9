"""A full duplicate-detection run on the contacts of a PostgreSQL database: time, peak memory, 1 worker vs 2.

Runs the job's own functions (`crm.dedup.jobs`): `dedup_run_plan` in this
process (read every live contact, build the blocks, cut them into chunks), then
`dedup_chunk_score` for every chunk in BENCH_DEDUP_WORKERS separate processes
(spawned, so each reads its chunk from the database like a Celery worker on
the `dedup` queue does). Peak resident memory is `ru_maxrss` of each process.
The run's candidate pairs and run row are deleted afterwards, so the contacts
and the review queue are left as they were.

Not part of `run_all.py` (it needs a database of a million contacts): run it as

    DATABASE_URL=postgres://.../<a copy of the bench database> \\
    BENCH_DEDUP_WORKERS=2,1 .venv/bin/python bench/dedup_scale.py
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _init_worker() -> None:
    common.setup_django(migrate=False)


def _pid(_index: int) -> int:
    return os.getpid()


def _score(args: tuple[int, list[list[int]]]) -> tuple[int, int, float]:
    from django.db import connection

    from core.actors import Actor, acting_as
    from crm.dedup.jobs import dedup_chunk_score

    run_id, chunk = args
    with acting_as(Actor.job("dedup-bench")):
        stored = dedup_chunk_score(run_id=run_id, chunk=chunk)
    connection.close()
    return os.getpid(), stored, _peak_mb()


def one_run(workers: int) -> dict[str, float]:
    from crm.dedup.jobs import dedup_run_create, dedup_run_plan
    from crm.models import DedupRun, DuplicateCandidate

    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker) as pool:  # started before the plan: no shared pages
        pool.map(_pid, range(workers))
        started = time.perf_counter()
        run = dedup_run_create(full=True, started_by="bench_dedup_scale")
        chunks = dedup_run_plan(run=run)
        planned = time.perf_counter()
        results = pool.map(_score, [(run.pk, chunk) for chunk in chunks], chunksize=1)
        finished = time.perf_counter()
    run.refresh_from_db()
    peaks: dict[int, float] = {}
    for pid, _stored, peak in results:
        peaks[pid] = max(peaks.get(pid, 0.0), peak)
    figures = {
        "workers": workers,
        "contacts": run.contacts,
        "compared": run.compared,
        "found": run.found,
        "status": run.status,
        "plan_s": planned - started,
        "score_s": finished - planned,
        "total_s": finished - started,
        "plan_peak_mb": _peak_mb(),
        "worker_peak_mb": max(peaks.values()) if peaks else 0.0,
        "load": os.getloadavg()[0],
    }
    DuplicateCandidate.objects.filter(run=run).delete()
    DedupRun.objects.filter(pk=run.pk).delete()
    return figures


def main() -> None:
    common.setup_django(migrate=False)
    for workers in (int(w) for w in os.environ.get("BENCH_DEDUP_WORKERS", "2,1").split(",")):
        load_before = os.getloadavg()[0]
        figures = one_run(workers)
        print(f"load before {load_before:.1f}", figures, flush=True)


if __name__ == "__main__":
    main()
