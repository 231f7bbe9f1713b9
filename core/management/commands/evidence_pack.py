from __future__ import annotations

import shutil
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from core.evidence import evidence_pack_build, evidence_pack_request
from core.models import EvidencePackStatus


class Command(BaseCommand):
    help = "Build an evidence pack for the supervisory authority (SEC-11) now, in this process, and copy the zip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", metavar="FILE", help="Copy the zip to FILE.")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        with acting_as(Actor.system("evidence_pack")):
            pack = evidence_pack_request(user=None, enqueue=False)
            pack = evidence_pack_build(pack_id=pack.pk)
        if pack is None or pack.status != EvidencePackStatus.DONE:
            raise CommandError(f"the pack failed: {pack.error if pack else 'gone'}")
        if output:
            with pack.file.open("rb") as source, open(output, "wb") as target:
                shutil.copyfileobj(source, target)
        self.stdout.write(f"evidence pack {pack.pk}: {pack.size} bytes, {len(pack.manifest)} files")
