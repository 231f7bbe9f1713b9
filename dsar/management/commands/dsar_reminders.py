"""`manage.py dsar_reminders`: send today's reminders before due dates and escalate overdue requests (DSR-14)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.actors import Actor, acting_as
from dsar.services import requests_remind


class Command(BaseCommand):
    help = "Remind staff of requests due soon and tell the DPO of overdue ones (each once a day at most)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        with acting_as(Actor.system("manage.py dsar_reminders")):
            while True:
                sent, has_more = requests_remind()
                total += sent
                if not has_more:
                    break
        self.stdout.write(f"{total} reminder(s) sent")
