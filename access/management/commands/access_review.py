from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from access.access_review import access_report, access_report_exported, access_report_write_csv
from core.actors import Actor


class Command(BaseCommand):
    help = (
        "Write the access-review report (every account with its roles and rights, then every API key) "
        "as CSV, to standard output or to --output FILE. The export is recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", metavar="FILE", help="Write the CSV to FILE instead of standard output.")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        report = access_report()
        # Recorded before a byte leaves, like every other export.
        access_report_exported(report=report, actor=Actor.system("access_review"))
        if not output:
            access_report_write_csv(report, self.stdout)
            return
        with Path(output).open("w", encoding="utf-8", newline="") as stream:
            access_report_write_csv(report, stream)
        self.stderr.write(
            f"{len(report.accounts)} accounts and {len(report.api_keys)} API keys written to {output}.",
            style_func=self.style.SUCCESS,
        )
