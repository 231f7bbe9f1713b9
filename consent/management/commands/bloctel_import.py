"""`manage.py bloctel_import LISTED [--checked SENT]`: record Bloctel's answer (CNS-09).

LISTED is the file Bloctel returns: the numbers of the file sent that are on the
opposition list, one per line (or the first column of a CSV). SENT is the file
that was sent for checking; without it, every consumer phone number of the CRM
counts as checked now. Only keyed hashes of the normalised numbers are stored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.phone import bloctel_record
from consent.services import identifier_hash
from core.actors import Actor, acting_as
from crm.models import ContactPoint, PersonKind


def _numbers(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            if row and row[0].strip():
                yield row[0].strip()


def _hashes(path: Path) -> tuple[set[str], int]:
    hashes, rejected = set(), 0
    for number in _numbers(path):
        try:
            hashes.add(identifier_hash("phone", number))
        except ValidationError:
            rejected += 1
    return hashes, rejected


class Command(BaseCommand):
    help = "Record Bloctel's answer: the numbers on the opposition list, among those sent for checking."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("listed", type=Path, help="the numbers Bloctel returned as listed")
        parser.add_argument("--checked", type=Path, help="the numbers sent (default: every consumer phone)")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in filter(None, [options["listed"], options["checked"]]):
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        listed, rejected = _hashes(options["listed"])
        if options["checked"]:
            checked, more = _hashes(options["checked"])
            rejected += more
        else:
            points = ContactPoint.objects.filter(kind="phone", contact__kind=PersonKind.CONSUMER)
            checked = set(points.values_list("value_index", flat=True))
        with acting_as(Actor.system("manage.py bloctel_import")):
            counts = bloctel_record(checked=checked, listed=listed)
        self.stdout.write(
            f"{counts['checked']} numbers checked, {counts['listed']} listed, {rejected} lines rejected, "
            f"{counts['dropped']} outdated answers dropped"
        )
