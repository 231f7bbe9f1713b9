"""Fill the database with fake contacts, fast (COPY on PostgreSQL), for load tests.

Per contact: a primary e-mail (and a phone for about 60%, `--phone-ratio`,
as far as the 64,000 fictional numbers go), an organisation for about 70% (count / 20 organisations are
created first), tags for about 30%, 1 to 3 interactions for about 40%
(`--interactions-ratio`), encrypted notes for about 10%. Every row of a
tracked model gets its "+" history row attributed to the job
`generate_contacts`. Each batch is one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from crm.generation import Ratios, contacts_generate

DEFAULTS = Ratios()


class Command(BaseCommand):
    help = "Add N fake contacts (with points, interactions and history rows) in batches; prints progress and rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="number of contacts to add")
        parser.add_argument("--batch", type=int, default=50_000, help="contacts per transaction (default 50000)")
        parser.add_argument("--seed", type=int, default=None, help="random seed (default: derived from the last id)")
        parser.add_argument(
            "--notes-ratio", type=float, default=DEFAULTS.notes, help=f"share with notes (default {DEFAULTS.notes})"
        )
        parser.add_argument(
            "--phone-ratio",
            type=float,
            default=DEFAULTS.phone,
            help=f"share with a phone (default {DEFAULTS.phone}; fewer when the fictional numbers run short)",
        )
        parser.add_argument(
            "--interactions-ratio",
            type=float,
            default=DEFAULTS.interactions,
            help=f"share with 1 to 3 interactions (default {DEFAULTS.interactions}; 0 for none)",
        )

    def handle(
        self,
        *args: Any,
        count: int,
        batch: int,
        seed: int | None,
        notes_ratio: float,
        phone_ratio: float,
        interactions_ratio: float,
        **opts: Any,
    ) -> None:
        if count < 0 or batch < 1:
            raise CommandError("count must be >= 0 and --batch >= 1")
        if not all(0 <= ratio <= 1 for ratio in (notes_ratio, phone_ratio, interactions_ratio)):
            raise CommandError("ratios are between 0 and 1")

        def progress(done: int, seconds: float) -> None:
            rate = done / seconds if seconds else 0
            self.stdout.write(f"{done:>10,}/{count:,} contacts  {seconds:7.1f} s  {rate:>9,.0f} contacts/s")

        ratios = Ratios(notes=notes_ratio, phone=phone_ratio, interactions=interactions_ratio)
        with acting_as(Actor.job("generate_contacts")):
            result = contacts_generate(count, batch_size=batch, seed=seed, ratios=ratios, progress=progress)
        rows = ", ".join(f"{label} {n:,}" for label, n in result.rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.created:,} contacts in {result.seconds:.1f} s ({result.rate:,.0f} contacts/s); "
                f"rows: {rows} (plus their history)."
            )
        )
