"""`manage.py dsar_fulfil REFERENCE ACTION`: fulfil a verified request from the command line.

ACTION is `access` (report and link), `portability` (zip and link), `erasure-preview` (what erasure would do)
or `erase` (erase the matched contacts now, in this process, with a proof per contact).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from dsar.fulfilment.erasure import erasure_preview, erasure_run_process, erasure_start
from dsar.fulfilment.files import access_report_create, portability_export_create
from dsar.models import Request

ACTIONS = ("access", "portability", "erasure-preview", "erase")


class Command(BaseCommand):
    help = "Fulfil a data-subject request: access report, portability export, erasure preview or erasure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the request's case reference")
        parser.add_argument("action", choices=ACTIONS)

    def handle(self, *args: Any, **options: Any) -> None:
        request = Request.objects.filter(reference=options["reference"]).first()
        if request is None:
            raise CommandError(f"no request with reference {options['reference']!r}")
        with acting_as(Actor.system("manage.py dsar_fulfil")):
            try:
                self._do(request, options["action"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error

    def _do(self, request: Request, action: str) -> None:
        if action == "access":
            files = access_report_create(request=request)
            self.stdout.write(f"access report made ({', '.join(f.filename for f in files)}); link sent")
        elif action == "portability":
            file = portability_export_create(request=request)
            self.stdout.write(f"portability export made ({file.filename}); link sent")
        elif action == "erasure-preview":
            for preview in erasure_preview(request=request):
                state = f"held: {preview.held}" if preview.held else "erasable"
                self.stdout.write(f"contact #{preview.contact_id}: {state}")
                for step in preview.steps:
                    kept = f"; kept: {', '.join(step.kept)}" if step.kept else ""
                    self.stdout.write(
                        f"  {step.model}: {step.action} {step.rows} rows, {step.history_rows} history rows{kept}"
                    )
        else:
            run = erasure_start(request=request)
            run = erasure_run_process(run_id=run.pk)
            self.stdout.write(f"{run.processed} contacts erased, {len(run.held)} held (run #{run.pk})")
