"""Recompute the consent state from the events and report every difference (`--fix` corrects them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consent.rebuild import consent_state_rebuild
from core.actors import Actor, acting_as


class Command(BaseCommand):
    help = "Recompute the derived consent state from the consent events and report the differences."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Correct the stored state where it differs.")
        parser.add_argument("--batch-size", type=int, default=10_000)

    def handle(self, *args: Any, fix: bool, batch_size: int, **options: Any) -> None:
        with acting_as(Actor.job("rebuild_consent_state")):
            report = consent_state_rebuild(fix=fix, batch_size=batch_size)
        self.stdout.write(
            f"{report.contacts} contacts, {report.events} events, {report.states} stored states: "
            f"{len(report.missing)} missing, {len(report.extra)} extra, {len(report.different)} different."
        )
        for label, keys in (("missing", report.missing), ("extra", report.extra), ("different", report.different)):
            for contact_id, purpose_id, channel in keys[:20]:
                self.stdout.write(f"  {label}: contact {contact_id}, purpose {purpose_id}, {channel}")
        if report.differences:
            self.stdout.write("Corrected." if fix else "Run with --fix to correct them.")
