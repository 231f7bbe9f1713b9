"""`manage.py dsar_expire_reports [--dry-run]`: delete access reports and exports older than DSAR_REPORT_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.actors import Actor, acting_as
from dsar.fulfilment.files import response_files_expire
from dsar.models import ResponseFile


class Command(BaseCommand):
    help = "Delete the access reports and portability exports whose download period is over."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the files to delete, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            count = ResponseFile.objects.filter(expires_at__lte=timezone.now()).count()
            self.stdout.write(f"{count} expired files would be deleted")
            return
        total = 0
        with acting_as(Actor.system("manage.py dsar_expire_reports")):
            while True:
                deleted, has_more = response_files_expire()
                total += deleted
                if not has_more:
                    break
        self.stdout.write(f"{total} expired files deleted")
