from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import backup_restore


class Command(BaseCommand):
    help = (
        "Restore an encrypted backup OVER the database (all or nothing), then purge again everyone the purge "
        "ledger says was erased or purged since the backup was taken. Every restore is recorded with its "
        "duration and outcome (the dashboard warns when no restore test succeeded for 90 days)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Do not ask: the database's content is replaced.")

    def handle(self, *args: Any, file: str, yes: bool, **options: Any) -> None:
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        if not yes and input(f"Replace the whole database with {path}? Type 'yes': ") != "yes":
            raise CommandError("Not restored.")
        record = backup_restore(path)
        if record.error:
            raise CommandError(f"Restore failed after {record.duration_seconds:.1f} s: {record.error}")
        replayed = ", ".join(f"{name}: {count}" for name, count in record.replayed.items()) or "nothing"
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored in {record.duration_seconds:.1f} s; purged again from the ledger: {replayed}."
            )
        )
