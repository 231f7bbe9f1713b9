"""The whole register as CSV, XLSX (CNIL model columns), JSON and a printable HTML page (REG-01, REG-05).

The first columns carry the organisation header (Art. 30(1)(a)), the others
each item of Art. 30(1)(b)-(g) and the CNIL model's recommended fields. The
export is refused while the controller's contact details are empty (REG-01).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheet import spreadsheet_safe

from .choices import (
    ActivityRole,
    Art9Condition,
    DpiaCriterion,
    SecurityMeasure,
    SensitiveData,
    SubjectCategory,
    TransferMechanism,
)
from .coverage import field_label
from .models import OrganisationProfile, ProcessingActivity, localized
from .selectors import (
    activities_with_details,
    approved_activities,
    choice_labels,
    legal_basis_label,
    organisation_profile,
)

FORMATS = ("csv", "xlsx", "json", "html")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}


def _none(value: str) -> str:
    return value or _("None")


def _recipients(activity: ProcessingActivity) -> str:
    return "; ".join(
        f"{localized(r, 'name')} ({r.get_kind_display()}{', ' + r.country if r.country else ''})"
        for r in activity.recipients.all()
    ) or _("None")


def _processors(activity: ProcessingActivity) -> str:
    return "; ".join(
        f"{r.name}: {r.contract_reference or _('no contract recorded')}"
        for r in activity.recipients.all()
        if r.kind == "processor"
    ) or _("None")


def _transfers(activity: ProcessingActivity) -> str:
    transfers = activity.third_country_recipients()
    if not transfers:
        return _("No transfer outside the EEA")
    labels = dict(TransferMechanism.choices)
    return "; ".join(
        f"{r.name}, {r.country}, {labels.get(r.transfer_mechanism) or _('no safeguard')}"
        + (f", {r.transfer_documentation}" if r.transfer_documentation else "")
        for r in transfers
    )


def _categories(activity: ProcessingActivity) -> str:
    return "; ".join(
        f"{row.get_category_display()}{': ' + row.description if row.description else ''}"
        for row in activity.data_categories.all()
    )


def _retention(activity: ProcessingActivity) -> str:
    return "; ".join(f"{row.get_category_display()}: {row.display_retention}" for row in activity.data_categories.all())


def _subjects(activity: ProcessingActivity) -> str:
    labels = choice_labels(activity.subject_categories, SubjectCategory.choices)
    if activity.subject_categories_other:
        labels.append(activity.subject_categories_other)
    return ", ".join(labels)


def _security(activity: ProcessingActivity) -> str:
    return ", ".join(choice_labels(activity.security_measures, SecurityMeasure.choices))


def _sensitive(activity: ProcessingActivity) -> str:
    return ", ".join(choice_labels(activity.sensitive_data, SensitiveData.choices)) or _("No")


def _dpia(activity: ProcessingActivity) -> str:
    criteria = ", ".join(choice_labels(activity.dpia_criteria, DpiaCriterion.choices)) or _("no criterion")
    required = _("required") if activity.dpia_required else _("not required")
    return f"{required} ({criteria}); {activity.get_dpia_status_display()}" + (
        f"; {activity.dpia_reference}" if activity.dpia_reference else ""
    )


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d}"
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # the CNIL model's heading
    value: Callable[[ProcessingActivity, OrganisationProfile], str]
    art30: str = ""  # the Art. 30(1) item it carries, if any


COLUMNS = [
    Column("reference", gettext_lazy("Reference"), lambda a, p: a.reference),
    Column("name", gettext_lazy("Processing activity"), lambda a, p: a.display_name),
    Column("capacity", gettext_lazy("Capacity"), lambda a, p: a.get_role_display()),
    Column("created", gettext_lazy("Creation date"), lambda a, p: _date(a.created_at)),
    Column("updated", gettext_lazy("Last update"), lambda a, p: _date(a.updated_at)),
    Column("controller", gettext_lazy("Controller"), lambda a, p: controller_line(p), "a"),
    Column(
        "joint_controller",
        gettext_lazy("Joint controller"),
        lambda a, p: _none(a.joint_controller or p.joint_controllers),
        "a",
    ),
    Column("representative", gettext_lazy("Representative"), lambda a, p: _none(p.representative), "a"),
    Column("dpo", gettext_lazy("Data protection officer"), lambda a, p: _none(p.dpo_contact), "a"),
    Column("business_owner", gettext_lazy("Business owner"), lambda a, p: a.business_owner),
    Column("software", gettext_lazy("Software used"), lambda a, p: a.software),
    Column("purpose", gettext_lazy("Main purpose"), lambda a, p: a.display_purpose, "b"),
    Column("sub_purposes", gettext_lazy("Sub-purposes"), lambda a, p: "; ".join(a.sub_purpose_list())),
    Column("legal_basis", gettext_lazy("Legal basis"), lambda a, p: legal_basis_label(a.legal_basis)),
    Column(
        "legal_basis_detail", gettext_lazy("Legal basis explained"), lambda a, p: localized(a, "legal_basis_detail")
    ),
    Column("data_subjects", gettext_lazy("Categories of data subjects"), lambda a, p: _subjects(a), "c"),
    Column("data_categories", gettext_lazy("Categories of personal data"), lambda a, p: _categories(a), "c"),
    Column("fields", gettext_lazy("Fields used"), lambda a, p: ", ".join(field_label(key) for key in a.data_fields)),
    Column("sensitive_data", gettext_lazy("Sensitive data"), lambda a, p: _sensitive(a)),
    Column(
        "art9_condition",
        gettext_lazy("Art. 9(2) condition"),
        lambda a, p: str(dict(Art9Condition.choices).get(a.art9_condition, "")),
    ),
    Column("recipients", gettext_lazy("Recipients"), lambda a, p: _recipients(a), "d"),
    Column("processors", gettext_lazy("Processors and Art. 28 contracts"), lambda a, p: _processors(a)),
    Column("transfers", gettext_lazy("Transfers outside the EU"), lambda a, p: _transfers(a), "e"),
    Column("retention", gettext_lazy("Retention periods"), lambda a, p: _retention(a), "f"),
    Column("security_measures", gettext_lazy("Security measures"), lambda a, p: _security(a), "g"),
    Column(
        "security_description", gettext_lazy("Security measures described"), lambda a, p: a.security_description, "g"
    ),
    Column("data_source", gettext_lazy("Source of the data"), lambda a, p: localized(a, "data_source")),
    Column("dpia", gettext_lazy("DPIA"), lambda a, p: _dpia(a)),
    Column("notice", gettext_lazy("Information notice"), lambda a, p: a.notice_url),
    Column("controllers_served", gettext_lazy("Controllers served (Art. 30(2))"), lambda a, p: a.processor_controllers),
    Column("status", gettext_lazy("Status"), lambda a, p: a.get_status_display()),
    Column(
        "approved_by", gettext_lazy("Approved by"), lambda a, p: a.approved_by.get_username() if a.approved_by else ""
    ),
    Column("approved_at", gettext_lazy("DPO review date"), lambda a, p: _date(a.approved_at)),
    Column("next_review", gettext_lazy("Next review"), lambda a, p: _date(a.next_review_at)),
]


def controller_line(profile: OrganisationProfile) -> str:
    parts = [profile.controller_name, profile.controller_head, " ".join(profile.controller_address.split())]
    parts += [profile.controller_phone, profile.controller_email]
    return ", ".join(part for part in parts if part)


def header_items(profile: OrganisationProfile) -> list[tuple[str, str]]:
    """The register's first page (REG-01): who the controller is, joint controllers, representative, DPO."""
    return [
        (_("Controller"), controller_line(profile)),
        (_("Joint controllers"), _none(" ".join(profile.joint_controllers.split()))),
        (_("EU representative"), _none(" ".join(profile.representative.split()))),
        (
            _("Data protection officer"),
            _none(", ".join(part for part in [profile.dpo_contact, " ".join(profile.dpo_address.split())] if part)),
        ),
    ]


def register_activities(*, approved_only: bool = False) -> list[ProcessingActivity]:
    activities = approved_activities() if approved_only else activities_with_details().filter(archived=False)
    return list(activities.order_by("reference"))


def checked_profile() -> OrganisationProfile:
    profile = organisation_profile()
    if not profile.controller_contact_complete:
        raise ValidationError(
            _("Fill the controller's name and contact details (e-mail or address) before exporting the register.")
        )
    return profile


def register_rows(activities: list[ProcessingActivity], profile: OrganisationProfile) -> list[list[str]]:
    rows = [[str(column.label) for column in COLUMNS]]
    rows += [[column.value(activity, profile) for column in COLUMNS] for activity in activities]
    return rows


def to_csv(activities: list[ProcessingActivity], profile: OrganisationProfile) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in register_rows(activities, profile):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(activities: list[ProcessingActivity], profile: OrganisationProfile) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    header = workbook.active
    header.title = _("Organisation")[:31]
    header.append([_("Record of processing activities"), f"{timezone.localdate():%Y-%m-%d}"])
    for label, value in header_items(profile):
        header.append([label, spreadsheet_safe(value)])
    header["A1"].font = Font(bold=True)
    for title, subset in (
        (_("Activities"), [a for a in activities if a.role == ActivityRole.CONTROLLER]),
        (_("Processor record"), [a for a in activities if a.role == ActivityRole.PROCESSOR]),
    ):
        sheet = workbook.create_sheet(title[:31])
        for row in register_rows(subset, profile):
            sheet.append([spreadsheet_safe(cell) for cell in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def to_json(activities: list[ProcessingActivity], profile: OrganisationProfile) -> bytes:
    document = {
        "generated_at": timezone.now().isoformat(),
        "organisation": {str(label): value for label, value in header_items(profile)},
        "columns": {column.key: str(column.label) for column in COLUMNS},
        "activities": [{column.key: column.value(activity, profile) for column in COLUMNS} for activity in activities],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def to_html(activities: list[ProcessingActivity], profile: OrganisationProfile) -> bytes:
    sections = [
        (activity, [(column.label, column.value(activity, profile)) for column in COLUMNS[1:]])
        for activity in activities
    ]
    context = {
        "profile": profile,
        "header": header_items(profile),
        "sections": sections,
        "generated_on": timezone.localtime(),
    }
    return render_to_string("registry/register_print.html", context).encode()


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json, "html": to_html}


def register_export(fmt: str, *, approved_only: bool = False) -> bytes:
    """The register in `fmt`; ValidationError when the format is unknown or the controller's contact is empty."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)})
    profile = checked_profile()
    return WRITERS[fmt](register_activities(approved_only=approved_only), profile)


def export_filename(fmt: str) -> str:
    return f"register-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
