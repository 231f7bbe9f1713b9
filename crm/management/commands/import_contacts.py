"""Import contacts from a CSV or XLSX file, as the staff import page does (dry run included).

The columns are mapped from their headers (English or French: "Prénom", "Nom",
"E-mail", "Téléphone", "ID externe", ...) unless --mapping says otherwise.
Prints the counts and every rejected or skipped line with its reasons; exits
non-zero only when the file cannot be imported at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from crm.imports import services
from crm.imports.mapping import parse_mapping_option
from crm.models import ImportJob, ImportStatus, OnDuplicate


class Command(BaseCommand):
    help = "Import contacts from a CSV or XLSX file (column mapping from the headers, duplicates skipped or merged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .xlsx file, column names on the first line")
        parser.add_argument("--supplier", default="", help="who provided the file (recorded as the contacts' source)")
        parser.add_argument(
            "--on-duplicate",
            choices=OnDuplicate.values,
            default=OnDuplicate.SKIP,
            help="a row whose email, phone or external id already exists: skip it or merge it (default skip)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
        parser.add_argument(
            "--mapping",
            default="",
            help='override the mapping: "Column A=first_name,Column B=email,Column C=" (empty ignores a column)',
        )

    def handle(
        self, *args: Any, file: str, supplier: str, on_duplicate: str, dry_run: bool, mapping: str, **opts: Any
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with acting_as(Actor.system("import_contacts")):
            job = self._create(path, supplier, on_duplicate)
            try:
                job = services.import_job_map(job=job, mapping=parse_mapping_option(mapping, job.mapping))
            except ValidationError as error:
                services.import_job_delete(job=job)
                raise CommandError("Column mapping: " + " ".join(error.messages)) from error
            self._print_mapping(job)
            if dry_run:
                job = services.import_job_dry_run(job=job)
                self._print_result(job, job.dry_run or {}, dry_run=True)
                services.import_job_delete(job=job)  # nothing to keep: the file goes too
            else:
                job = services.import_job_run(job=job)
                self._print_result(job, job.run_counts, dry_run=False)
        if job.status == ImportStatus.FAILED:
            raise CommandError(f"Import failed: {job.error}")

    def _create(self, path: Path, supplier: str, on_duplicate: str) -> ImportJob:
        with path.open("rb") as handle:
            try:
                return services.import_job_create(
                    upload=File(handle, name=path.name), supplier=supplier, on_duplicate=on_duplicate
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error

    def _print_mapping(self, job: ImportJob) -> None:
        for column in job.columns:
            self.stdout.write(f"  {column!r} -> {job.mapping.get(column) or '(ignored)'}")

    def _print_result(self, job: ImportJob, counts: dict[str, int], *, dry_run: bool) -> None:
        for entry in job.report:
            self.stdout.write(f"line {entry['line']}: {entry['outcome']}: {'; '.join(entry['reasons'])}")
        verb = "would create" if dry_run else "created"
        merged = "would merge" if dry_run else "merged"
        title = "Dry run" if dry_run else f"Import #{job.pk}"
        get = counts.get
        self.stdout.write(
            self.style.SUCCESS(
                f"{title}: {get('total', 0)} rows, {get('valid', 0)} valid; {verb} {get('created', 0)}, "
                f"{merged} {get('merged', 0)}, skipped {get('skipped', 0)}, rejected {get('rejected', 0)}."
            )
        )
