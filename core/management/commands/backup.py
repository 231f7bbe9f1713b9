from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.backups import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write an encrypted dump of the PostgreSQL database (pg_dump, AES-256-GCM with BACKUP_ENCRYPTION_KEY) "
        "to --output, or to BACKUP_DIR/crm-<time>.backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", metavar="FILE")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        if output:
            path = Path(output)
        else:
            settings.BACKUP_DIR.mkdir(parents=True, exist_ok=True)
            path = settings.BACKUP_DIR / f"crm-{timezone.now():%Y%m%dT%H%M%SZ}.backup"
        try:
            header = backup_write(path)
        except BackupError as failure:
            raise CommandError(str(failure)) from None
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup taken at {header['taken_at']} written to {path} ({size} bytes)."))
