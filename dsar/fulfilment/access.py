"""Art. 15: the access report — everything held on the matched contacts, and the Art. 15(1) information.

The data come from the subject-data map (`subject_data_collect`), so a model
declared tomorrow appears in the report without a change here; the history of
changes from each declared model's history table; the information block from
the approved register (`registry.notice`), the recipients who actually received
the data from the disclosure log (CON-06). The report is a plain dict (the JSON
file) that one template renders as the printable HTML file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.subject_data import Category, declarations
from crm.models import Contact, Disclosure
from crm.subject_data import subject_data_categories, subject_data_collect
from registry.notice import notice_entries
from registry.selectors import organisation_profile

# Columns of a history row that say how the row changed, not what it held.
_HISTORY_META = {"history_id", "history_date", "history_type", "history_change_reason", "history_user"}
HISTORY_LIMIT = 500  # rows per table and contact: a report stays readable and bounded


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _history(contact_pk: int) -> list[dict[str, Any]]:
    """Every change recorded about the contact in a declared model's history table, newest first."""
    changes: list[dict[str, Any]] = []
    for declaration in declarations():
        history = declaration.history_model
        if history is None:
            continue
        lookup = {"id": contact_pk} if not declaration.subject else None
        if lookup is None and "__" not in declaration.subject:
            lookup = {f"{declaration.subject}_id": contact_pk}
        if lookup is None:
            continue
        names = list(declaration.fields)
        for row in history._default_manager.filter(**lookup).order_by("-history_date")[:HISTORY_LIMIT]:
            changes.append(
                {
                    "table": str(declaration.model._meta.verbose_name_plural),
                    "date": row.history_date.isoformat(),
                    "change": {"+": _("created"), "~": _("changed"), "-": _("deleted")}.get(row.history_type, ""),
                    "reason": row.history_change_reason or "",
                    "values": {name: _plain(getattr(row, name, None)) for name in names},
                }
            )
    changes.sort(key=lambda change: change["date"], reverse=True)
    return changes


def _disclosures(contact_pk: int) -> list[dict[str, Any]]:
    """The recipients who actually received the contact's data (the disclosure log, CON-06)."""
    rows = Disclosure.objects.filter(entries__contact_id=contact_pk).order_by("-disclosed_at").distinct()
    return [
        {
            "recipient": row.recipient,
            "country": row.country,
            "date": row.disclosed_at.isoformat(),
            "channel": row.channel,
            "fields": list(row.fields) or [_("every field")],
            "purpose": row.purpose,
        }
        for row in rows
        if not Disclosure.is_internal(row.recipient)
    ]


def _contact_part(contact: Contact) -> dict[str, Any]:
    sections = []
    for section in subject_data_collect(contact=contact):
        if not section.rows and not section.history_rows:
            continue
        sections.append(
            {
                "model": section.model,
                "title": section.verbose_name,
                "fields": list(section.categories),
                "categories": {name: str(Category(c).label) for name, c in section.categories.items()},
                "rows": [{name: _plain(value) for name, value in row.items()} for row in section.rows],
                "history_rows": section.history_rows,
            }
        )
    return {
        "id": contact.pk,
        "name": contact.full_name,
        "sections": sections,
        "history": _history(contact.pk),
        "recipients_received": _disclosures(contact.pk),
        "categories": [str(Category(c).label) for c in subject_data_categories(contact=contact)],
    }


def _information() -> dict[str, Any]:
    """Art. 15(1)(a)-(h), 15(2): from the approved register and the organisation's profile."""
    profile = organisation_profile()
    entries = notice_entries()
    return {
        "controller": profile.controller_name,
        "dpo_contact": profile.dpo_email or profile.controller_email,
        "processing": [
            {
                "name": entry.name,
                "purpose": entry.purpose,
                "sub_purposes": entry.sub_purposes,
                "legal_basis": entry.legal_basis,
                "legal_basis_detail": entry.legal_basis_detail,
                "categories_and_retention": [{"category": c, "retention": r} for c, r in entry.categories],
                "recipients": entry.recipients or [_("none")],
                "transfers": entry.transfers or [_("not applicable: no transfer outside the EEA")],
                "source": entry.source or _("the person themselves"),
            }
            for entry in entries
        ],
        "rights": [
            _("Rectification of inaccurate data (Art. 16)"),
            _("Erasure (Art. 17)"),
            _("Restriction of processing (Art. 18)"),
            _("Objection to processing (Art. 21)"),
            _("Portability of the data you provided (Art. 20)"),
        ],
        "complaint": _(
            "You may lodge a complaint with the supervisory authority, %(authority)s (%(url)s), "
            "and bring an action before the competent court."
        )
        % {"authority": profile.authority_name, "url": profile.authority_url},
        "automated_decisions": _("None: no decision about you is based solely on automated processing (Art. 22)."),
        "transfer_safeguards": sorted({t for entry in entries for t in entry.transfers})
        or [_("not applicable: no transfer outside the EEA")],
    }


def access_report_build(*, contacts: Sequence[Contact], reference: str, language: str) -> dict[str, Any]:
    """The access report as a JSON-ready dict, its texts in `language`."""
    with translation.override(language):
        return {
            "reference": reference,
            "generated_at": timezone.now().isoformat(),
            "language": language,
            "confirmation": bool(contacts),
            "contacts": [_contact_part(contact) for contact in contacts],
            "information": _information(),
        }


def access_report_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode()


def access_report_html(report: dict[str, Any]) -> bytes:
    with translation.override(report.get("language") or settings.LANGUAGE_CODE):
        return render_to_string("dsar/fulfilment/access_report.html", {"report": report}).encode()
