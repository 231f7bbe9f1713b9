from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit_chain import verify_audit


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the audit trail (checkpoints, then every event since the last one) and "
        "report the first broken link. Exits with status 1 when the chain is broken."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_audit()
        if not report.intact:
            raise CommandError(
                f"Audit chain BROKEN at id {report.broken_at}: {report.problem} "
                f"({report.events} events and {report.checkpoints} checkpoints read)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.events} events, {report.checkpoints} checkpoints.")
        )
