"""Find duplicate contacts: `manage.py find_duplicates [--full] [--export FILE] [--queue]`."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core.actors import Actor, acting_as
from crm.dedup.jobs import candidate_rows, dedup_run_create, dedup_run_inline

FIELDS = ["contact_a", "external_id_a", "contact_b", "external_id_b", "score", "reasons"]


class Command(BaseCommand):
    help = (
        "Compare the contacts created or changed since the last run (all of them with --full) and store the "
        "likely duplicate pairs for review; --export writes the pending pairs to a CSV file."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="compare every contact, not only the changed ones")
        parser.add_argument("--export", metavar="FILE", help="write the pending candidate pairs to this CSV file")
        parser.add_argument("--queue", action="store_true", help="hand the run to the dedup workers and return")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(Actor.job("find_duplicates")):
            if options["queue"]:
                from crm.tasks import dedup_run

                with transaction.atomic():
                    run = dedup_run_create(full=options["full"], started_by="find_duplicates")
                    transaction.on_commit(lambda: dedup_run.delay(run.pk))
                self.stdout.write(f"Run #{run.pk} queued on the dedup workers.")
                return
            run = dedup_run_inline(full=options["full"], started_by="find_duplicates")
        self.stdout.write(
            f"Run #{run.pk} ({run.mode}): {run.contacts} contacts, {run.compared} pairs compared, "
            f"{run.found} new candidate pairs."
        )
        if options["export"]:
            with open(options["export"], "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=FIELDS)
                writer.writeheader()
                count = 0
                for row in candidate_rows():
                    writer.writerow(row)
                    count += 1
            self.stdout.write(f"{count} pending pairs written to {options['export']}.")
