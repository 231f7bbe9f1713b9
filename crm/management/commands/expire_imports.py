"""Expire import jobs past their short life now (the hourly beat task does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.actors import Actor, acting_as
from crm.imports.services import expired_import_jobs, import_jobs_expire


class Command(BaseCommand):
    help = (
        "Delete import jobs never finished within IMPORT_ABANDONED_HOURS (with their files) and strip finished "
        "jobs older than IMPORT_KEEP_DAYS down to their counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the jobs that would expire, change nothing")

    def handle(self, *args: Any, dry_run: bool, **opts: Any) -> None:
        if dry_run:
            abandoned, finished = expired_import_jobs()
            self.stdout.write(f"Would delete {abandoned.count()} abandoned and strip {finished.count()} finished jobs.")
            return
        deleted = stripped = 0
        with acting_as(Actor.system("expire_imports")):
            has_more = True
            while has_more:
                batch_deleted, batch_stripped, has_more = import_jobs_expire()
                deleted, stripped = deleted + batch_deleted, stripped + batch_stripped
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} abandoned and stripped {stripped} finished jobs."))
