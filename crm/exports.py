"""Export of the contact list (CSV or XLSX): what the user may see, logged before a byte leaves.

The rows are the filtered list the user may see (`Contact.objects.restrict` +
`ContactFilter`); the columns are the fields the role may see (notes only with
`crm.view_interaction`). Before the file is streamed, one transaction records
the disclosure (recipient "staff export: <username>", the contacts, the
fields), one access-log row per contact (channel "export") and an audit event.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_event_record

from .filters import ContactFilter
from .models import AccessChannel, Contact
from .services import contact_access_record, disclosure_record

FORMATS = ("csv", "xlsx")
CHUNK = 2_000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Contact], Any]
    permission: str = ""  # needed on top of crm.view_contact


COLUMNS = [
    Column("id", gettext_lazy("Id"), lambda c: c.pk),
    Column("first_name", gettext_lazy("First name"), lambda c: c.first_name),
    Column("last_name", gettext_lazy("Last name"), lambda c: c.last_name),
    Column("email", gettext_lazy("Email"), lambda c: c.primary_email),
    Column("emails", gettext_lazy("All emails"), lambda c: _join(c.emails)),
    Column("phone", gettext_lazy("Phone"), lambda c: c.primary_phone),
    Column("phones", gettext_lazy("All phones"), lambda c: _join(c.phones)),
    Column("organisation", gettext_lazy("Organisation"), lambda c: c.organisation.name if c.organisation else ""),
    Column("job_title", gettext_lazy("Job title"), lambda c: c.job_title),
    Column("kind", gettext_lazy("Kind"), lambda c: c.kind),
    Column("status", gettext_lazy("Status"), lambda c: c.status),
    Column("preferred_language", gettext_lazy("Preferred language"), lambda c: c.preferred_language),
    Column("birth_date", gettext_lazy("Birth date"), lambda c: _date(c.birth_date)),
    Column("street", gettext_lazy("Street"), lambda c: c.street),
    Column("postal_code", gettext_lazy("Postal code"), lambda c: c.postal_code),
    Column("city", gettext_lazy("City"), lambda c: c.city),
    Column("country", gettext_lazy("Country"), lambda c: c.country),
    Column("tags", gettext_lazy("Tags"), lambda c: _join(tag.name for tag in c.tags.all())),
    Column(
        "external_ids",
        gettext_lazy("External ids"),
        lambda c: _join(f"{e.system}:{e.value}" for e in c.external_ids.all()),
    ),
    Column("source", gettext_lazy("Source"), lambda c: c.source),
    Column("source_detail", gettext_lazy("Source detail"), lambda c: c.source_detail),
    Column("collected_at", gettext_lazy("Collected at"), lambda c: _date(c.collected_at)),
    Column("created_at", gettext_lazy("Created at"), lambda c: _date(c.created_at)),
    Column("notes", gettext_lazy("Notes"), lambda c: c.notes, permission="crm.view_interaction"),
]


def export_columns(user: Any = None, *, include_notes: bool = False) -> list[Column]:
    """The columns `user` may see (without a user, as for the command: notes only when asked for)."""
    if user is None:
        return [c for c in COLUMNS if not c.permission or include_notes]
    return [c for c in COLUMNS if not c.permission or user.has_perm(c.permission)]


def filtered_contacts(user: Any, params: Mapping[str, Any]) -> QuerySet[Contact]:
    """The list the user sees with these filters; invalid filters are an error, never "no filter"."""
    filterset = ContactFilter(params, queryset=Contact.objects.restrict(user, "view"))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


# --------------------------------------------------------------------------- logging


def contacts_export_record(
    *, queryset: QuerySet[Contact], columns: Sequence[Column], recipient: str, fmt: str, filters: Iterable[str] = ()
) -> list[int]:
    """Log the export (disclosure, an access-log row per contact, audit event); return the ids to write, in order."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True).distinct())
    fields = [column.key for column in columns]
    with transaction.atomic():
        disclosure = disclosure_record(
            recipient=recipient, channel="export", contact_ids=ids, fields=fields, purpose=_("staff export")
        )
        contact_access_record(contact_ids=ids, channel=AccessChannel.EXPORT)
        audit_event_record(
            action="contacts.exported",
            obj=disclosure,
            # Filter names only: a filter value may be someone's email address.
            data={"format": fmt, "contacts": len(ids), "fields": fields, "filters": sorted(set(filters))},
        )
    return ids


# --------------------------------------------------------------------------- rows


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not (text[0] == "+" and text[1:].replace(" ", "").isdigit()):
        return "'" + text  # a leading quote keeps spreadsheets from running it; phone numbers stay as they are
    return text


def export_rows(ids: Sequence[int], columns: Sequence[Column]) -> Iterator[list[str]]:
    """The header, then one row per contact, read CHUNK contacts at a time (emails and phones decrypted)."""
    yield [str(column.label) for column in columns]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        contacts = (
            Contact.objects.filter(pk__in=chunk)
            .select_related("organisation")
            .prefetch_related("points", "tags", "external_ids")
            .order_by("pk")
        )
        for contact in contacts:
            yield [_cell(column.value(contact)) for column in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text, UTF-8 with a byte-order mark so that spreadsheets read the accents right."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def write_csv(handle: IO[str], rows: Iterable[list[str]]) -> None:
    for chunk in csv_chunks(rows):
        handle.write(chunk)


def write_xlsx(handle: IO[bytes], rows: Iterable[list[str]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Contacts"))
    for row in rows:
        sheet.append(row)
    workbook.save(handle)


def export_filename(fmt: str) -> str:
    return f"contacts-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


# --------------------------------------------------------------------------- HTTP


def contacts_export_response(*, user: Any, params: Mapping[str, Any], fmt: str) -> StreamingHttpResponse | FileResponse:
    """The file for the staff list's export button; logs first, then streams (CSV) or sends a temp file (XLSX)."""
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose CSV or XLSX.")]})
    queryset = filtered_contacts(user, params)
    columns = export_columns(user)
    filters = [key for key, value in params.items() if key not in ("format", "page") and value]
    ids = contacts_export_record(
        queryset=queryset,
        columns=columns,
        recipient=f"staff export: {user.get_username()}",
        fmt=fmt,
        filters=filters,
    )
    filename = export_filename(fmt)
    rows = export_rows(ids, columns)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # A workbook is a zip: it is written to a temporary file (deleted when closed), then sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(spool, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])
