from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.actors import Actor, acting_as
from registry.coverage import coverage_gaps


class Command(BaseCommand):
    help = "Hold the record of processing activities against the data and disclosures; exit 1 on any gap."

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(Actor.system("check_registry")):
            gaps = coverage_gaps()
        for gap in gaps:
            self.stdout.write(f"[{gap.rule}] {gap.message}")
            for cause in gap.causes:
                self.stdout.write(f"    - {cause}")
        if gaps:
            raise CommandError(f"{len(gaps)} gap(s) in the record of processing activities.")
        self.stdout.write(self.style.SUCCESS("The record of processing activities covers the data and disclosures."))
