"""How fast `generate_contacts` fills the database, against a bare COPY of the same rows.

Batches of both are interleaved (so a burst of load from elsewhere hits both)
inside one transaction that is rolled back: the bench database keeps its size.
The bare COPY writes the same generated contacts, without notes, history rows
or plug-in rows; the fake-data generation itself is not timed for it.
"""

from __future__ import annotations

import inspect
import os
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

DEFAULT_ROWS = 200_000
PER = 10_000  # figures are per 10,000 contacts


def main(contacts: int | None = None, *, rows: int | None = None, batches: int = 10) -> common.Report:
    from django.db import transaction
    from django.utils import timezone

    from core.actors import Actor, acting_as
    from crm.generation import ContactFaker, Pools, bulk_writer, contacts_generate
    from crm.models import Contact

    contacts = contacts or common.bench_size()
    total = rows or int(os.environ.get("BENCH_GENERATE_ROWS", 0)) or min(contacts, DEFAULT_ROWS)
    batch = max(1, total // batches)
    pools = Pools.build(seed=0)
    generate, bare = [], []
    with transaction.atomic(), acting_as(Actor.job("generate_contacts")):
        writer = bulk_writer()
        for index in range(batches):
            result = contacts_generate(batch, batch_size=batch, seed=index, pools=pools, analyze_after=False)
            generate.append(result.batch_seconds[0] * 1000 * PER / batch)
            faker = ContactFaker(pools, random.Random(index), counter=10**9 + index * batch)
            same_rows = faker.contact_rows(batch, now=timezone.now())
            for row in same_rows:
                row["notes"] = ""
            started = time.perf_counter()
            writer.insert(Contact, same_rows, assign_ids=True)
            bare.append((time.perf_counter() - started) * 1000 * PER / batch)
        transaction.set_rollback(True)
    metric = common.Metric(
        name=f"generate_contacts, per {PER:,} contacts",
        samples=generate,
        baseline=bare,
        note=f"{batches} batches of {batch:,}; baseline: bare COPY into crm_contact",
    )
    rate = PER / (metric.median / 1000)
    base_rate = PER / (metric.baseline_median / 1000) if metric.baseline_median else 0
    return common.Report(
        title="Bulk generation (generate_contacts)",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=[metric],
        notes=[
            f"{type(writer).__name__}: {rate:,.0f} contacts/s (with history rows and ~10% encrypted notes) "
            f"vs {base_rate:,.0f} rows/s for the bare COPY.",
            f"Rows written on top of {Contact.objects.count():,} existing contacts, then rolled back.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
