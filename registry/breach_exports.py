"""The breach register as CSV (SEC-09): every Art. 33(3) and 33(5) item of every breach, notified or not."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.spreadsheet import spreadsheet_safe
from core.subject_data import Category

from .choices import BreachNature
from .models import Breach
from .selectors import choice_labels


def _when(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _phases(breach: Breach) -> str:
    return "; ".join(
        f"{n.get_phase_display()} {_when(n.sent_at)}{' ' + n.reference if n.reference else ''}"
        for n in breach.notifications.all()
    )


BREACH_COLUMNS: list[tuple[Any, Callable[[Breach], Any]]] = [
    (gettext_lazy("Reference"), lambda b: b.reference),
    (gettext_lazy("Title"), lambda b: b.title),
    (gettext_lazy("Occurred at"), lambda b: _when(b.occurred_at)),
    (gettext_lazy("Became aware"), lambda b: _when(b.aware_at)),
    (gettext_lazy("72-hour deadline"), lambda b: _when(b.notification_deadline)),
    (gettext_lazy("Nature"), lambda b: ", ".join(choice_labels(b.nature, BreachNature.choices))),
    (gettext_lazy("What happened"), lambda b: b.description),
    (
        gettext_lazy("Categories of personal data"),
        lambda b: ", ".join(choice_labels(b.data_categories, Category.choices)),
    ),
    (gettext_lazy("Data subjects (approx.)"), lambda b: b.subjects_approx),
    (gettext_lazy("Records (approx.)"), lambda b: b.records_approx),
    (gettext_lazy("Likely consequences"), lambda b: b.consequences),
    (gettext_lazy("Measures taken or proposed"), lambda b: b.measures),
    (gettext_lazy("DPO or other contact point"), lambda b: b.dpo_contact),
    (gettext_lazy("Risk"), lambda b: b.get_risk_level_display()),
    (gettext_lazy("Notification to the authority"), lambda b: b.get_authority_decision_display()),
    (gettext_lazy("Why the authority is not notified"), lambda b: b.not_notified_reason),
    (gettext_lazy("Authority notified at"), lambda b: _when(b.notified_at)),
    (gettext_lazy("Authority's reference"), lambda b: b.authority_reference),
    (gettext_lazy("Reasons for the delay"), lambda b: b.delay_reason),
    (gettext_lazy("Phases sent"), _phases),
    (gettext_lazy("Data subjects informed at"), lambda b: _when(b.subjects_informed_at)),
    (gettext_lazy("How they were informed"), lambda b: b.subjects_communication),
    (gettext_lazy("Art. 34(3) ground"), lambda b: b.get_art34_exemption_display() if b.art34_exemption else ""),
    (gettext_lazy("Closed at"), lambda b: _when(b.closed_at)),
]


def breach_register_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for label, _value in BREACH_COLUMNS])
    for breach in Breach.objects.prefetch_related("notifications").order_by("aware_at", "pk"):
        writer.writerow(
            [spreadsheet_safe("" if (v := value(breach)) is None else str(v)) for _l, value in BREACH_COLUMNS]
        )
    return ("\ufeff" + buffer.getvalue()).encode()
