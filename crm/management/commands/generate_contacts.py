"""Fill the database with fake contacts, fast (COPY on PostgreSQL), for load tests.

Each contact gets its "+" history row attributed to the job `generate_contacts`;
about one in ten has encrypted notes. Each batch is one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from crm.generation import contacts_generate


class Command(BaseCommand):
    help = "Add N fake contacts (with their history rows) in batches; prints progress and rows per second."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="number of contacts to add")
        parser.add_argument("--batch", type=int, default=50_000, help="contacts per transaction (default 50000)")
        parser.add_argument("--seed", type=int, default=None, help="random seed (default: derived from the last id)")
        parser.add_argument("--notes-ratio", type=float, default=0.1, help="share of contacts with notes")

    def handle(self, *args: Any, count: int, batch: int, seed: int | None, notes_ratio: float, **opts: Any) -> None:
        if count < 0 or batch < 1:
            raise CommandError("count must be >= 0 and --batch >= 1")

        def progress(done: int, seconds: float) -> None:
            rate = done / seconds if seconds else 0
            self.stdout.write(f"{done:>10,}/{count:,} contacts  {seconds:7.1f} s  {rate:>9,.0f} rows/s")

        with acting_as(Actor.job("generate_contacts")):
            result = contacts_generate(count, batch_size=batch, seed=seed, notes_ratio=notes_ratio, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.created:,} contacts in {result.seconds:.1f} s ({result.rate:,.0f} contacts/s)."
            )
        )
