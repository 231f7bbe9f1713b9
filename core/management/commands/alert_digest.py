from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.actors import Actor, acting_as
from core.alerts import alert_digest_send, alerts_current


class Command(BaseCommand):
    help = "Print the current alerts (what the dashboard flags); with --send, send the DPO's digest through the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send", action="store_true", help="Queue the digest e-mail to the DPO.")

    def handle(self, *args: Any, send: bool, **options: Any) -> None:
        for alert in alerts_current():
            self.stdout.write(f"{alert.severity}\t{alert.kind}\t{alert.title}\t{alert.url}")
        if send:
            with acting_as(Actor.system("alert_digest")):
                sent = alert_digest_send()
            self.stderr.write(f"{sent} digest message(s) queued.")
