from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from core.audit import audit_event_record
from registry.exports import FORMATS, register_export


class Command(BaseCommand):
    help = "Write the record of processing activities as CSV, XLSX, JSON or printable HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="File to write (default: standard output; XLSX needs a file).")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, output = options["format"], options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE.")
        with acting_as(Actor.system("export_registry")):
            try:
                content = register_export(fmt)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            audit_event_record(action="registry.exported", data={"format": fmt, "channel": "command"})
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"Register written to {output}.")
        else:
            self.stdout.write(content.decode(), ending="")
