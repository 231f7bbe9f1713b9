"""Export contacts to CSV or XLSX, logged like a staff export (disclosure, access log, audit event).

Like the staff export, it needs a purpose and a reason (SEC-08), and names the
recipient: internal unless `--recipient NAME --country CC` name a third party
(CON-06). Exports live contacts that are not under restriction (Art. 18),
optionally filtered with the contact list's filters (`--filter
status=customer --filter tag=newsletter`). Notes are left out unless
--with-notes is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from crm import exports
from crm.filters import ContactFilter
from crm.models import Contact


class Command(BaseCommand):
    help = "Export contacts (CSV to stdout or a file, XLSX to a file); every export is logged as a disclosure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purpose", required=True, help="what the contacts are exported for (free text for now)")
        parser.add_argument("--reason", required=True, help="why this export is needed")
        parser.add_argument("--recipient", default="", help="the third party receiving the file (default: internal)")
        parser.add_argument("--country", default="", help="the third party's ISO 3166 code, e.g. DE (with --recipient)")
        parser.add_argument("--format", choices=exports.FORMATS, default="csv")
        parser.add_argument("--output", default="", help="file to write (required for xlsx; csv goes to stdout)")
        parser.add_argument(
            "--filter", action="append", default=[], metavar="KEY=VALUE", help="a contact-list filter; repeatable"
        )
        parser.add_argument("--with-notes", action="store_true", help="include the (decrypted) notes column")

    def handle(self, *args: Any, format: str, output: str, filter: list[str], with_notes: bool, **opts: Any) -> None:
        if format == "xlsx" and not output:
            raise CommandError("--output is required for xlsx")
        terms = self._terms(opts)
        params = self._filters(filter)
        with acting_as(Actor.system("export_contacts")):
            filterset = ContactFilter(params, queryset=Contact.objects.visible())
            if not filterset.is_valid():
                raise CommandError(f"Invalid filter: {dict(filterset.errors)}")
            columns = exports.export_columns(None, include_notes=with_notes)
            ids = exports.contacts_export_record(
                queryset=filterset.qs, columns=columns, terms=terms, fmt=format, filters=params.keys()
            )
            rows = exports.export_rows(ids, columns)
            if format == "xlsx":
                with Path(output).open("wb") as handle:
                    exports.write_xlsx(handle, rows)
            elif output:
                with Path(output).open("w", encoding="utf-8", newline="") as handle:
                    exports.write_csv(handle, rows)
            else:
                for chunk in exports.csv_chunks(rows):
                    self.stdout.write(chunk, ending="")
            left_out = exports.restricted_left_out(filterset.qs)
        self.stderr.write(f"Exported {len(ids)} contacts ({', '.join(c.key for c in columns)}).")
        if left_out:
            self.stderr.write(f"Left out {left_out} restricted contacts (Art. 18: their data may only be stored).")

    @staticmethod
    def _terms(opts: dict[str, Any]) -> exports.ExportTerms:
        try:
            return exports.export_terms(
                purpose=opts["purpose"], reason=opts["reason"], recipient=opts["recipient"], country=opts["country"]
            )
        except ValidationError as error:
            problems = "; ".join(f"--{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
            raise CommandError(problems) from error

    @staticmethod
    def _filters(pairs: list[str]) -> dict[str, str]:
        params = {}
        for pair in pairs:
            key, equals, value = pair.partition("=")
            if not equals or not key.strip():
                raise CommandError(f"Write each filter as key=value, not {pair!r}")
            params[key.strip()] = value.strip()
        unknown = set(params) - set(ContactFilter.base_filters)
        if unknown:
            raise CommandError(
                f"Unknown filter(s): {', '.join(sorted(unknown))}; known: {', '.join(ContactFilter.base_filters)}"
            )
        return params
