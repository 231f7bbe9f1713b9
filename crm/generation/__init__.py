"""Fake data for the demo (`seed_demo`) and for load tests (`generate_contacts`).

Names, companies and addresses come from Faker's fr_FR and en_GB locales, but
Faker is only asked once, to fill small pools; rows are then combined from the
pools with a seeded `random.Random`, which is what makes a million rows cheap.
Nothing generated can reach a real person: e-mail domains are under the
reserved `example.*` names (RFC 2606) and phone numbers are in the ranges the
French (ARCEP) and British (Ofcom) regulators reserve for fiction.

The package: `fake` builds plaintext people, `bulk` turns them into encrypted
rows and COPYs them (`contacts_generate`), `demo` seeds through the services,
`writers` inserts in bulk, and this module holds the plug-in points. Other apps
plug in from their own `<app>/seeding.py` module, which both commands import
(`autodiscover`):

- `@seed_step(order)` adds a step to `seed_demo` (it receives a `SeedContext`);
- `@batch_step` adds rows to every `generate_contacts` batch (it receives a
  `BatchContext` holding the batch's contacts, with their ids, and a
  `BulkWriter` that COPYs on PostgreSQL and bulk-creates elsewhere).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

from .bulk import BatchContext, BatchStep, GenerationResult, contacts_generate, history_rows, tags_ensure
from .demo import seed_contacts
from .fake import ContactFaker, FictionPhones, Pools, Ratios, Row
from .vocabulary import FR_FICTION_PREFIXES, TAG_NAMES, UK_FICTION_PREFIXES
from .writers import BulkWriter, CopyWriter, OrmWriter, analyze, bulk_writer

__all__ = [
    "FR_FICTION_PREFIXES",
    "TAG_NAMES",
    "UK_FICTION_PREFIXES",
    "BatchContext",
    "BulkWriter",
    "ContactFaker",
    "CopyWriter",
    "FictionPhones",
    "GenerationResult",
    "OrmWriter",
    "Pools",
    "Ratios",
    "Row",
    "SeedContext",
    "analyze",
    "batch_step",
    "bulk_writer",
    "contacts_generate",
    "history_rows",
    "seed_step",
    "tags_ensure",
]


@dataclass
class SeedContext:
    """What a `@seed_step` receives; it runs as `Actor.system("seed_demo")` and reports through `out`."""

    contacts: int
    rng: random.Random
    pools: Pools
    out: Callable[[str], None]
    users: dict[str, Any] = field(default_factory=dict)  # role name -> demo user


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


seed_step(100)(seed_contacts)
