"""Export of the contact list (CSV or XLSX): what the user may see, for a stated purpose, logged before a byte leaves.

An export needs terms (SEC-08): a purpose, a reason and a recipient, either
internal (the default) or a named third party with its country. Without them
nothing is read and nothing is logged. The rows are the filtered list the user
may see (`Contact.objects.restrict` + `ContactFilter`); the columns are the
fields the role may see (notes only with `crm.view_interaction`: `can_see_notes`). Before the
file is streamed, one transaction records the disclosure (CON-06: recipient,
country, purpose, the contacts, the fields), one access-log row per contact
(channel "export") and an audit event (purpose, reason, recipient, counts).
Restricted contacts (Art. 18) never leave: every export skips them and counts them.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import figures
from core.actors import current_actor
from core.audit import audit_event_record
from core.spreadsheet import spreadsheet_safe

from .filters import ContactFilter
from .models import AccessChannel, Contact, Disclosure
from .normalise import is_country_code
from .purposes import OTHER as OTHER_PURPOSE
from .purposes import purpose_choices
from .querysets import can_see_notes
from .services import contact_access_record, disclosure_record

FORMATS = ("csv", "xlsx")
CHUNK = 2_000
# The export's answer says how many restricted contacts it left out (the view turns it into a message).
LEFT_OUT_HEADER = "X-Restricted-Contacts-Left-Out"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Contact], Any]
    shown_to: Callable[[Any], bool] | None = None  # who may see it, on top of crm.view_contact (None: everyone)


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
    Column("notes", gettext_lazy("Notes"), lambda c: c.notes, shown_to=can_see_notes),
]


def export_columns(user: Any = None, *, include_notes: bool = False) -> list[Column]:
    """The columns `user` may see (without a user, as for the command: notes only when asked for)."""
    if user is None:
        return [c for c in COLUMNS if c.shown_to is None or include_notes]
    return [c for c in COLUMNS if c.shown_to is None or c.shown_to(user)]


def filtered_contacts(user: Any, params: Mapping[str, Any]) -> QuerySet[Contact]:
    """The list the user sees with these filters; invalid filters are an error, never "no filter"."""
    filterset = ContactFilter(params, queryset=Contact.objects.restrict(user, "view"))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


# --------------------------------------------------------------------------- terms

PURPOSE_MAX = Disclosure._meta.get_field("purpose").max_length
RECIPIENT_MAX = Disclosure._meta.get_field("recipient").max_length
REASON_MAX = 255  # AuditEvent.reason


@dataclass(frozen=True)
class ExportTerms:
    """Why an export is made and who receives it (SEC-08); build it with `export_terms`, which checks it."""

    purpose: str
    reason: str
    recipient: str = ""  # a third party's name; blank: the file stays inside the organisation
    country: str = ""  # the third party's ISO 3166-1 alpha-2 code

    def __post_init__(self) -> None:
        if not (self.purpose.strip() and self.reason.strip()):
            raise ValueError("an export needs a purpose and a reason (build its terms with export_terms)")

    def recipient_label(self) -> str:
        """What the disclosure log names as recipient: the third party, or "internal: <who exported>"."""
        return self.recipient or f"internal: {current_actor().label}"


def export_terms(*, purpose: str, reason: str, recipient: str = "", country: str = "") -> ExportTerms:
    """Checked terms; ValidationError keyed by "purpose", "reason", "recipient" or "country" otherwise.

    Purpose and reason are required free text for now (the record of processing
    activities will provide the purposes); a third party needs a name and a country.
    """
    purpose, reason, recipient, country = (value.strip() for value in (purpose, reason, recipient, country))
    country = country.upper()
    errors: dict[str, list[str]] = {}
    if not purpose:
        errors["purpose"] = [_("Say what the contacts are exported for.")]
    if not reason:
        errors["reason"] = [_("Say why this export is needed.")]
    if country and not recipient:
        errors["recipient"] = [_("Name the third party that receives the file.")]
    if recipient and not country:
        errors["country"] = [_("Give the third party's country.")]
    elif country and not is_country_code(country):
        errors["country"] = [_("Give the country as its two-letter ISO 3166 code, e.g. DE or GB.")]
    for key, value, limit in (("purpose", purpose, PURPOSE_MAX), ("reason", reason, REASON_MAX)):
        if len(value) > limit:
            errors.setdefault(key, []).append(_("At most %(limit)s characters.") % {"limit": limit})
    if len(recipient) > RECIPIENT_MAX:
        errors.setdefault("recipient", []).append(_("At most %(limit)s characters.") % {"limit": RECIPIENT_MAX})
    if errors:
        raise ValidationError(errors)
    return ExportTerms(purpose=purpose, reason=reason, recipient=recipient, country=country)


# --------------------------------------------------------------------------- logging


def contacts_export_record(
    *,
    queryset: QuerySet[Contact],
    columns: Sequence[Column],
    terms: ExportTerms,
    fmt: str,
    filters: Iterable[str] = (),
) -> list[int]:
    """Log the export (disclosure, an access-log row per contact, audit event); return the ids to write, in order.

    Restricted contacts (Art. 18(2): their data may only be stored) are left out, whoever
    exports and whatever the filters; the audit event counts them (`restricted_left_out`),
    and so does `restricted_left_out(queryset)` for the caller's report.
    """
    ids = list(queryset.filter(restricted=False).order_by("pk").values_list("pk", flat=True).distinct())
    fields = [column.key for column in columns]
    recipient = terms.recipient_label()
    with transaction.atomic():
        disclosure = disclosure_record(
            recipient=recipient,
            channel="export",
            contact_ids=ids,
            fields=fields,
            country=terms.country,
            purpose=terms.purpose,
        )
        contact_access_record(contact_ids=ids, channel=AccessChannel.EXPORT)
        audit_event_record(
            action="contacts.exported",
            obj=disclosure,
            reason=terms.reason,
            data={
                "purpose": terms.purpose,
                "recipient": recipient,
                "country": terms.country,
                "third_party": bool(terms.recipient),
                "format": fmt,
                "contacts": len(ids),
                "restricted_left_out": restricted_left_out(queryset),
                "fields": fields,
                # Filter names only: a filter value may be someone's email address.
                "filters": sorted(set(filters)),
            },
        )
        if len(ids) > settings.ALERT_EXPORT_SIZE:
            # SEC-05: the DPO's alert shows at once, not at the next refresh of the dashboard's figures.
            transaction.on_commit(lambda: figures.figures_refresh(keys=["crm.large_exports", "crm.exports_by_user"]))
    return ids


def restricted_left_out(queryset: QuerySet[Contact]) -> int:
    """How many contacts of the selection an export leaves out because their processing is restricted."""
    return queryset.filter(restricted=True).values("pk").distinct().count()


# --------------------------------------------------------------------------- rows


def _cell(value: Any) -> str:
    return spreadsheet_safe("" if value is None else str(value))


def export_rows(ids: Sequence[int], columns: Sequence[Column]) -> Iterator[list[str]]:
    """The header, then one row per contact, read CHUNK contacts at a time (emails and phones decrypted)."""
    yield [str(column.label) for column in columns]
    contacts = Contact.objects.select_related("organisation").prefetch_related("points", "tags", "external_ids")
    if all(column.key != "notes" for column in columns):
        contacts = contacts.defer("notes")  # not decrypted for nothing
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for contact in contacts.filter(pk__in=chunk).order_by("pk"):
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


def export_filters(params: Mapping[str, Any]) -> dict[str, str]:
    """The contact-list filters among request parameters (not the list's cursor or sort), blank ones left out."""
    filters = {}
    for name in ContactFilter.base_filters:
        value = str(params.get(name) or "").strip()
        if value:
            filters[name] = value
    return filters


def filters_shown(filters: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, value) for each filter, as the export form lists them; ValidationError when one is invalid."""
    filterset = ContactFilter(filters, queryset=Contact.objects.none())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    shown = []
    for name in filters:
        field = filterset.form.fields[name]
        value = filterset.form.cleaned_data.get(name)
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)
        shown.append((str(field.label), str(value)))
    return shown


class ContactExportForm(forms.Form):
    """The export's format and terms; the list's filters travel beside it as hidden fields."""

    INTERNAL, THIRD_PARTY = "internal", "third_party"

    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("csv", gettext_lazy("CSV")), ("xlsx", gettext_lazy("Excel (XLSX)"))],
        initial="csv",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    purpose_activity = forms.ChoiceField(
        label=gettext_lazy("Purpose"),
        choices=[],
        help_text=gettext_lazy("An approved activity of the record of processing activities, or another purpose."),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Other purpose"),
        max_length=PURPOSE_MAX,
        required=False,
        help_text=gettext_lazy(
            "Only for another purpose: what the contacts are exported for, e.g. “invitations to the trade fair”."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Why this export is needed, e.g. “the partner sends the invitations for us”."),
    )
    recipient_kind = forms.ChoiceField(
        label=gettext_lazy("Recipient"),
        choices=[
            (INTERNAL, gettext_lazy("Internal: the file stays inside the organisation")),
            (THIRD_PARTY, gettext_lazy("A third party (partner, supplier, processor)")),
        ],
        initial=INTERNAL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    recipient = forms.CharField(
        label=gettext_lazy("Third party's name"),
        max_length=RECIPIENT_MAX,
        required=False,
        help_text=gettext_lazy("The legal entity that receives the file."),
    )
    country = forms.CharField(
        label=gettext_lazy("Third party's country"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("ISO 3166 code, e.g. DE."),
    )

    terms: ExportTerms | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = purpose_choices()
        if choices is None:  # no record of processing activities installed: the purpose is free text
            del self.fields["purpose_activity"]
            self.fields["purpose"].required = True
            self.fields["purpose"].label = gettext_lazy("Purpose")
            return
        self.activity_purposes = dict(choices)
        self.fields["purpose_activity"].choices = [
            ("", "---------"),
            *choices,
            (OTHER_PURPOSE, gettext_lazy("Other, written out (the reason below must justify it)")),
        ]

    def _purpose(self, data: dict[str, Any]) -> str:
        """The purpose the disclosure log records: the chosen activity's label, or the purpose written out."""
        chosen = data.get("purpose_activity")
        if "purpose_activity" in self.fields and chosen and chosen != OTHER_PURPOSE:
            return self.activity_purposes.get(chosen, "")
        if "purpose_activity" in self.fields and not chosen:
            return "-"  # the choice field reports the error; the free text is not asked for
        return data.get("purpose", "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("recipient_kind") == self.THIRD_PARTY:
            for name in ("recipient", "country"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Required for a third party."))
        else:  # typed, then "internal" chosen: no third party, whatever the two fields hold
            data["recipient"] = data["country"] = ""
            for name in ("recipient", "country"):
                self.errors.pop(name, None)
        try:
            self.terms = export_terms(
                purpose=self._purpose(data),
                reason=data.get("reason", ""),
                recipient=data.get("recipient", ""),
                country=data.get("country", ""),
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name not in self.errors:  # the field's own check already said it
                    self.add_error(name, messages)
        return data


def contacts_export_response(
    *, user: Any, filters: Mapping[str, Any], fmt: str, terms: ExportTerms
) -> StreamingHttpResponse | FileResponse:
    """The file the staff list's export form asks for; logs first, then streams (CSV) or sends a temp file (XLSX)."""
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose CSV or XLSX.")]})
    queryset = filtered_contacts(user, filters)
    columns = export_columns(user)
    used = [key for key, value in filters.items() if value]
    ids = contacts_export_record(queryset=queryset, columns=columns, terms=terms, fmt=fmt, filters=used)
    response = _file_response(export_rows(ids, columns), fmt)
    response[LEFT_OUT_HEADER] = str(restricted_left_out(queryset))
    return response


def _file_response(rows: Iterable[list[str]], fmt: str) -> StreamingHttpResponse | FileResponse:
    filename = export_filename(fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # A workbook is a zip: it is written to a temporary file (deleted when closed), then sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(spool, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])
