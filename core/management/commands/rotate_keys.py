from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.actors import Actor, acting_as
from core.keyrotation import BATCH_SIZE, keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS. "
        "Safe to run while the app serves, and to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        with acting_as(Actor.system("rotate_keys")):
            results = keys_rotate(batch_size=batch_size)
        for result in results:
            self.stdout.write(f"{result.model}.{result.field}: {result.rows} rewritten")
        self.stdout.write(self.style.SUCCESS("All encrypted fields are under the primary key."))
