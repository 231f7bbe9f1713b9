"""`manage.py dsar_lapse_unverified`: delete the public form's submissions nobody verified in time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.actors import Actor, acting_as
from dsar.services import submissions_lapse


class Command(BaseCommand):
    help = "Delete unverified request submissions older than DSAR_UNVERIFIED_LAPSE_DAYS, and blank their messages."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        with acting_as(Actor.system("manage.py dsar_lapse_unverified")):
            while True:
                deleted, has_more = submissions_lapse()
                total += deleted
                if not has_more:
                    break
        self.stdout.write(f"{total} unverified submission(s) deleted")
