from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.audit_chain import audit_purge, verify_audit


class Command(BaseCommand):
    help = (
        "Delete the audit events older than AUDIT_RETENTION_DAYS (or --days) behind a chained checkpoint that "
        "keeps the last purged event's id and digest. The chain is verified first; a broken chain stops the purge."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Retention in days (at least 180).")

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        report = verify_audit()
        if not report.intact:
            self.stderr.write(self.style.ERROR(f"Not purged: {report.problem}."))
            raise SystemExit(1)
        before = timezone.now() - timedelta(days=days or settings.AUDIT_RETENTION_DAYS)
        checkpoint = audit_purge(before=before)
        if checkpoint is None:
            self.stdout.write(f"No audit event before {before:%Y-%m-%d}: nothing purged.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{checkpoint.events_purged} audit events before {before:%Y-%m-%d} purged; "
                f"checkpoint {checkpoint.pk} keeps event {checkpoint.last_event_id}'s digest."
            )
        )
