"""Fake data for the demo (`seed_demo`) and for load tests (`generate_contacts`).

Names come from Faker's fr_FR and en_GB locales, but Faker is only asked once,
to fill small pools; rows are then combined from the pools with a seeded
`random.Random`, which is what makes a million rows cheap. Nothing generated
can reach a real person: e-mail domains are under the reserved `example.*`
names (RFC 2606) and phone numbers are in the ranges the French (ARCEP) and
British (Ofcom) regulators reserve for fiction.

The package: `fake` builds rows, `writers` inserts them in bulk, and this
module runs the batches and holds the plug-in points. Other apps plug in from
their own `<app>/seeding.py` module, which both commands import (`autodiscover`):

- `@seed_step(order)` adds a step to `seed_demo` (it receives a `SeedContext`);
- `@batch_step` adds rows to every `generate_contacts` batch (it receives a
  `BatchContext` holding the batch's contacts, with their ids, and a
  `BulkWriter` that COPYs on PostgreSQL and bulk-creates elsewhere).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core.actors import Actor

from ..models import Contact
from .fake import FR_FICTION_PREFIXES, UK_FICTION_PREFIXES, ContactFaker, Pools, Row, history_rows
from .writers import BulkWriter, CopyWriter, OrmWriter, analyze, bulk_writer

__all__ = [
    "FR_FICTION_PREFIXES",
    "UK_FICTION_PREFIXES",
    "BatchContext",
    "BulkWriter",
    "ContactFaker",
    "CopyWriter",
    "GenerationResult",
    "OrmWriter",
    "Pools",
    "Row",
    "SeedContext",
    "batch_step",
    "bulk_writer",
    "contacts_generate",
    "history_rows",
    "seed_step",
]

# --------------------------------------------------------------------------- plug-ins


@dataclass
class BatchContext:
    """What a `@batch_step` receives, inside the batch's transaction.

    Insert with `writer.insert(Model, rows, assign_ids=True)` (rows are
    attname -> value dicts) and give tracked models their history with
    `writer.insert(Model.history.model, history_rows(Model, rows, actor=ctx.actor, date_field=...))`.
    """

    writer: BulkWriter
    contacts: list[Row]  # with "id"
    rng: random.Random
    pools: Pools
    now: datetime
    actor: Actor


@dataclass
class SeedContext:
    """What a `@seed_step` receives; it runs as `Actor.system("seed_demo")` and reports through `out`."""

    contacts: int
    rng: random.Random
    pools: Pools
    out: Callable[[str], None]
    users: dict[str, Any] = field(default_factory=dict)  # role name -> demo user


BatchStep = Callable[[BatchContext], None]
SeedStep = Callable[[SeedContext], None]
_batch_steps: list[BatchStep] = []
_seed_steps: list[tuple[int, SeedStep]] = []


def batch_step(func: BatchStep) -> BatchStep:
    if func not in _batch_steps:
        _batch_steps.append(func)
    return func


def seed_step(order: int) -> Callable[[SeedStep], SeedStep]:
    """Register a `seed_demo` step; steps run by `order` (crm's contacts are 100)."""

    def register(func: SeedStep) -> SeedStep:
        if all(existing is not func for _, existing in _seed_steps):
            _seed_steps.append((order, func))
        return func

    return register


def autodiscover() -> None:
    autodiscover_modules("seeding")


def seed_steps() -> list[SeedStep]:
    autodiscover()
    return [func for _, func in sorted(_seed_steps, key=lambda item: item[0])]


def batch_steps() -> list[BatchStep]:
    autodiscover()
    return list(_batch_steps)


# --------------------------------------------------------------------------- bulk generation


@dataclass
class GenerationResult:
    created: int
    seconds: float
    batch_seconds: list[float]

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def contacts_generate(
    count: int,
    *,
    batch_size: int = 50_000,
    seed: int | None = None,
    notes_ratio: float = 0.1,
    pools: Pools | None = None,
    progress: Callable[[int, float], None] | None = None,
    analyze_after: bool = True,
) -> GenerationResult:
    """Insert `count` fake contacts, each with its "+" history row, one transaction per batch.

    A killed run keeps its finished batches; running again adds more contacts
    (it does not top up to a total). Extra rows from `@batch_step` plug-ins go
    into the same transaction as their contacts.
    """
    actor = Actor.job("generate_contacts")
    start_id = (Contact.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    rng = random.Random(start_id if seed is None else seed)
    pools = pools or Pools.build(seed=0)
    faker = ContactFaker(pools, rng, counter=start_id, notes_ratio=notes_ratio)
    writer = bulk_writer()
    steps = batch_steps()
    now = timezone.now()
    started = time.perf_counter()
    done, timings = 0, []
    while done < count:
        batch_started = time.perf_counter()
        size = min(batch_size, count - done)
        with transaction.atomic():
            rows = faker.contact_rows(size, now=now)
            writer.insert(Contact, rows, assign_ids=True)
            writer.insert(Contact.history.model, history_rows(Contact, rows, actor=actor, date_field="created_at"))
            for step in steps:
                step(BatchContext(writer=writer, contacts=rows, rng=rng, pools=pools, now=now, actor=actor))
        done += size
        timings.append(time.perf_counter() - batch_started)
        if progress:
            progress(done, time.perf_counter() - started)
    if analyze_after:
        analyze(Contact, Contact.history.model)
    return GenerationResult(created=done, seconds=time.perf_counter() - started, batch_seconds=timings)


# --------------------------------------------------------------------------- demo


@seed_step(100)
def seed_contacts(ctx: SeedContext) -> None:
    """Top the demo up to `ctx.contacts` contacts through the service, so each has its history row."""
    from ..services import contact_create

    existing = Contact.objects.count()
    missing = ctx.contacts - existing
    if missing <= 0:
        ctx.out(f"Contacts: {existing} present, none added.")
        return
    start = (Contact.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    faker = ContactFaker(ctx.pools, ctx.rng, counter=start, notes_ratio=0.3)
    for _ in range(missing):
        contact_create(**faker.person())
    ctx.out(f"Contacts: {missing} added ({existing + missing} in total).")
