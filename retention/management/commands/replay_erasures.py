"""`manage.py replay_erasures --since DATE`: after restoring a backup, purge again whoever the ledger says is gone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date

from core.actors import Actor, acting_as
from core.deadlines import start_of_day
from retention.ledger import erasures_replay


class Command(BaseCommand):
    help = "Re-apply the purge ledger (file and table) from DATE: run it after every restore, with the backup's date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="YYYY-MM-DD: the day the restored backup was taken")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_date(options["since"] or "")
        if day is None:
            raise CommandError("--since takes a date, YYYY-MM-DD")
        with acting_as(Actor.system("manage.py replay_erasures")):
            counts = erasures_replay(since=start_of_day(day))
        self.stdout.write(", ".join(f"{action}: {number}" for action, number in counts.items()) + " purged again")
