"""The compliance dashboard and the home page against a bare page, the figures job, and the evidence pack.

The pages are requested in-process with `django.test.Client`, DEBUG off, logged in
as the DPO (who sees every panel), in interleaved rounds: dashboard, home, then the
bare page (`/__bench__/page/`: the staff layout with nothing in it, behind the same
middleware, session and context processors), so that the three meet the same load.
Times are server time (the request through Django, response rendered), in ms.

The panels read the figures store (core.figures); the figures themselves are computed
by the beat job (`refresh_figures`), timed here once over the whole base, figure by
figure. The evidence pack (SEC-11) is built once, in this process, as the worker does, after the
demo's register and breaches are added (seed_demo's registry step, once).

The requests panel and the request alerts read the running requests live (their countdowns must be
exact): the dashboard is timed again with RUNNING_REQUESTS running requests, registered inside a
transaction that is rolled back afterwards (nothing stays in the shared bench database).
"""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

SMOKE_ARGS = {"repeat": 2, "pack": False}  # tests/bench/test_smoke.py
PAGES = {"dashboard": "/dashboard/", "home": "/", "bare page": "/__bench__/page/"}
RUNNING_REQUESTS = 500


def _timed_get(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure_pages(user: Any, *, repeat: int, warmup: int = 3) -> dict[str, list[float]]:
    from django.test import Client, override_settings

    samples: dict[str, list[float]] = {name: [] for name in PAGES}
    # The bench DPO has no authenticator: the second-factor step is off (every page, the bare one too, still
    # passes through its middleware).
    with override_settings(ROOT_URLCONF="bench.urls", TWO_FACTOR_ENFORCED=False):
        client = Client()
        client.force_login(user)
        for round_ in range(warmup + repeat):
            for name, url in PAGES.items():
                elapsed = _timed_get(client, url)
                if round_ >= warmup:
                    samples[name].append(elapsed)
    return samples


def refresh_all() -> tuple[float, dict[str, int]]:
    """The beat job over every figure: its wall time (s) and each figure's own time (ms)."""
    from core import figures
    from core.models import Figure

    started = time.perf_counter()
    figures.figures_refresh()
    seconds = time.perf_counter() - started
    return seconds, dict(Figure.objects.order_by("key").values_list("key", "compute_ms"))


def seed_compliance_demo(dpo: Any) -> None:
    """The demo's register and breaches (seed_demo's registry step, once), so that the evidence pack holds a
    register. Consents and retention are left alone: the bench database is shared with their benchmarks."""
    import random

    from core.actors import Actor, acting_as
    from crm.generation import Pools, SeedContext
    from registry.seeding import seed_register

    context = SeedContext(contacts=0, rng=random.Random(2024), pools=Pools.build(seed=2024), out=lambda line: None)
    context.users["DPO"] = dpo
    with acting_as(Actor.system("bench_dashboard")):
        seed_register(context)


def measure_with_running_requests(user: Any, *, repeat: int, count: int = RUNNING_REQUESTS) -> dict[str, list[float]]:
    """The pages with `count` running requests spread over the last 45 days (overdue, at risk, on track), rolled
    back afterwards."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from core.actors import Actor, acting_as
    from dsar.services import request_register

    with transaction.atomic(), acting_as(Actor.system("bench_dashboard")):
        now = timezone.now()
        for index in range(count):
            request_register(
                rights=["access"],
                name="Bench Requester",
                email="",
                channel="post",
                received_at=now - timedelta(days=index % 45, hours=index % 24),
            )
        samples = measure_pages(user, repeat=repeat)
        transaction.set_rollback(True)
    return samples


def build_pack(user: Any) -> tuple[float, int, int]:
    """One evidence pack: seconds, bytes, files."""
    from core.actors import Actor, acting_as
    from core.evidence import evidence_pack_build, evidence_pack_request

    with acting_as(Actor.for_user(user)):
        pack = evidence_pack_request(user=user, enqueue=False)
        started = time.perf_counter()
        pack = evidence_pack_build(pack_id=pack.pk)
        seconds = time.perf_counter() - started
    assert pack is not None and pack.status == "done", pack and pack.error
    pack.file.delete(save=False)
    pack.delete()
    return seconds, pack.size, len(pack.manifest)


def main(contacts: int | None = None, *, repeat: int = 30, pack: bool = True) -> common.Report:
    from access.roles import DPO

    contacts = contacts or common.bench_size()
    common.ensure_contacts(contacts)
    dpo = common.staff_user("bench-dpo", DPO)
    seed_compliance_demo(dpo)
    refresh_seconds, per_figure = refresh_all()
    samples = measure_pages(dpo, repeat=repeat)
    bare = samples["bare page"]
    busy = measure_with_running_requests(dpo, repeat=max(repeat // 2, 2))
    metrics = [
        common.Metric("dashboard (DPO), server time", samples["dashboard"], bare, note="baseline: the bare page"),
        common.Metric("home page (DPO), server time", samples["home"], bare, note="baseline: the bare page"),
        common.Metric(
            f"dashboard (DPO), {RUNNING_REQUESTS} running requests",
            busy["dashboard"],
            busy["bare page"],
            note="baseline: the bare page, same rounds",
        ),
    ]
    slowest = sorted(per_figure.items(), key=lambda item: -item[1])[:4]
    notes = [
        f"{repeat} requests per page after 3 untimed rounds; bare page median {common.percentile(bare, 50):.1f} ms.",
        f"Target: dashboard and home under 150 ms median at 1,000,000 contacts (measured at {contacts:,}).",
        f"Figures job (`refresh_figures`, run by beat): {refresh_seconds:.1f} s for {len(per_figure)} figures; "
        "slowest: " + ", ".join(f"{key} {ms:,} ms" for key, ms in slowest) + ".",
        "The machine is shared with other engineers' test runs and benchmarks: absolute figures are noisy.",
    ]
    if pack:
        seconds, size, files = build_pack(dpo)
        notes.append(f"Evidence pack (SEC-11): built in {seconds:.1f} s, {size / 1024:,.0f} KiB zip, {files} files.")
    return common.Report(
        title="Compliance dashboard and home page",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=notes,
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
