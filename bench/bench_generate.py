"""How fast `generate_contacts` fills the database, against a bare COPY of the same contact rows.

Each batch writes contacts with everything that hangs off them: primary
e-mails (encrypted, blind-indexed), phones while the fictional ranges last,
tags, interactions (1 to 3 for about 40% of contacts; a second figure without
any) and a "+" history row for every row of a tracked model. The baseline
COPYs the very contact rows of a batch (already built and encrypted) into
crm_contact alone: no points, tags, interactions or history. Batches of the
three are interleaved (so a burst of load from elsewhere hits all of them)
inside one transaction that is rolled back: the bench database keeps its size.
"""

from __future__ import annotations

import inspect
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

DEFAULT_ROWS = 100_000
PER = 10_000  # figures are per 10,000 contacts
SMOKE_ARGS = {"batches": 3}  # tests/bench/test_smoke.py


class RecordingWriter:
    """Keeps what a batch would insert (ids made up) instead of writing it."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def insert(self, model: Any, rows: list[dict[str, Any]], *, assign_ids: bool = False) -> None:
        if assign_ids:
            for number, row in enumerate(rows, start=1):
                row[model._meta.pk.attname] = number
        self.rows.setdefault(model._meta.label, []).extend(rows)


def contact_rows(pools: Any, seed: int, size: int) -> list[dict[str, Any]]:
    """The contact rows a batch of `size` builds (e-mails, notes encrypted), without writing anything."""
    from django.utils import timezone

    from core.actors import Actor
    from crm.generation import ContactFaker, FictionPhones
    from crm.generation.bulk import Generator

    faker = ContactFaker(pools, random.Random(seed), counter=10**9 + seed * size, phones=FictionPhones())
    writer = RecordingWriter()
    generator = Generator(faker, writer, Actor.job("bench"), timezone.now(), owners=[None], authors=[])
    generator.batch(size)
    return writer.rows["crm.Contact"]


def main(contacts: int | None = None, *, rows: int | None = None, batches: int = 10) -> common.Report:
    from django.db import transaction

    from core.actors import Actor, acting_as
    from crm.generation import Pools, Ratios, bulk_writer, contacts_generate
    from crm.models import Contact

    contacts = contacts or common.bench_size()
    total = rows or int(os.environ.get("BENCH_GENERATE_ROWS", 0)) or min(contacts, DEFAULT_ROWS)
    batch = max(1, total // batches)
    pools = Pools.build(seed=0)
    variants = {"with interactions": Ratios(), "without interactions": Ratios(interactions=0)}
    timings: dict[str, list[float]] = {name: [] for name in variants}
    bare: list[float] = []
    inserted: dict[str, dict[str, int]] = {}
    existing = Contact.objects.count()
    with transaction.atomic(), acting_as(Actor.job("generate_contacts")):
        writer = bulk_writer()
        for index in range(batches):
            for name, ratios in variants.items():
                result = contacts_generate(
                    batch, batch_size=batch, seed=index, pools=pools, ratios=ratios, analyze_after=False
                )
                timings[name].append(result.batch_seconds[0] * 1000 * PER / batch)
                inserted[name] = result.rows
            same_rows = contact_rows(pools, index, batch)
            started = time.perf_counter()
            writer.insert(Contact, same_rows, assign_ids=True)
            bare.append((time.perf_counter() - started) * 1000 * PER / batch)
        transaction.set_rollback(True)
    metrics = [
        common.Metric(
            name=f"generate_contacts {name}, per {PER:,} contacts",
            samples=samples,
            baseline=bare,
            note=f"{batches} batches of {batch:,}; baseline: bare COPY of the contact rows",
        )
        for name, samples in timings.items()
    ]
    return common.Report(
        title="Bulk generation (generate_contacts)",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=[
            *(
                f"{name}: {PER / (metric.median / 1000):,.0f} contacts/s; rows per batch "
                + ", ".join(f"{label} {count:,}" for label, count in inserted[name].items())
                + " (plus a history row for each, tag links aside)"
                for name, metric in zip(variants, metrics, strict=True)
            ),
            f"Bare COPY: {PER / (metrics[0].baseline_median / 1000):,.0f} contact rows/s ({type(writer).__name__}).",
            f"Written on top of {existing:,} existing contacts, then rolled back; the organisations each run "
            "creates first (one per 20 contacts) are outside the timed batch.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
