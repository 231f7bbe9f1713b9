"""What the registry adds to core's pages (panels, alerts, figures) and to crm's export form (its purposes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import deadlines, figures
from core.alerts import AMBER, RED, Alert
from core.panels import Panel

from .choices import ActivityStatus
from .coverage import coverage_gaps
from .models import Breach, ProcessingActivity
from .selectors import activities_due_for_review

# A breach still awaiting its notification this close to the 72 hours shows red (and alerts the DPO).
BREACH_RED_HOURS = 12


def gap_figure() -> list[dict[str, str]]:
    return [{"rule": gap.rule, "link": gap.link} for gap in coverage_gaps()]


def register_figures() -> None:
    figures.register("registry.coverage_gaps", gap_figure)


def open_breaches() -> list[Breach]:
    """Breaches not closed, the oldest first (few rows: read live, the countdown must be exact)."""
    return figures.shared(
        "registry.open_breaches", lambda: list(Breach.objects.filter(closed_at__isnull=True).order_by("aware_at"))
    )


def review_counts() -> tuple[int, int]:
    """(activities submitted and awaiting the DPO's review, activities due for review), live, in one query."""

    def count() -> tuple[int, int]:
        due = activities_due_for_review().values("pk")
        totals = ProcessingActivity.objects.filter(archived=False).aggregate(
            awaiting=Count("pk", filter=Q(status=ActivityStatus.SUBMITTED)), due=Count("pk", filter=Q(pk__in=due))
        )
        return totals["awaiting"], totals["due"]

    return figures.shared("registry.review_counts", count)


def registry_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("registry.view_processingactivity"):
        return None
    readings = figures.figures_read(["registry.coverage_gaps"])
    gaps = readings["registry.coverage_gaps"].value
    awaiting, due = review_counts()
    return Panel(
        key="registry",
        title=_("Record of processing activities"),
        template="registry/panels/registry.html",
        figures={"gaps": len(gaps), "awaiting_review": awaiting, "due_for_review": due},
        computed_at=figures.oldest(readings.values()),
        url=reverse("registry:index"),
        order=30,
        alert=bool(gaps or due),
    )


def breaches_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("registry.view_breach"):
        return None
    now = timezone.now()
    rows = [
        {
            "breach": breach,
            "deadline": breach.notification_deadline,
            "awaits": breach.awaits_notification(),
            "late": breach.is_late(now),
            "hours_since": int((now - breach.aware_at).total_seconds() // 3600),
        }
        for breach in open_breaches()
    ]
    return Panel(
        key="breaches",
        title=_("Open breaches"),
        template="registry/panels/breaches.html",
        figures={"rows": rows, "awaiting": sum(1 for row in rows if row["awaits"])},
        computed_at=now,
        url=reverse("registry:breach_list"),
        order=20,
        alert=any(row["awaits"] for row in rows),
    )


def breach_alerts() -> list[Alert]:
    """Breaches awaiting notification within BREACH_RED_HOURS of the 72 hours (red) or late (red)."""
    now = timezone.now()
    found = []
    for breach in open_breaches():
        if not breach.awaits_notification():
            continue
        left = breach.time_left(now)
        if left > timedelta(hours=BREACH_RED_HOURS):
            continue
        hours = int(abs(left.total_seconds()) // 3600)
        title = (
            gettext("Breach %(ref)s: notification due in %(h)d h")
            if left.total_seconds() >= 0
            else gettext("Breach %(ref)s: notification late by %(h)d h")
        ) % {"ref": breach.reference, "h": hours}
        found.append(Alert("breach", RED, title, breach.title, reverse("registry:breach_detail", args=[breach.pk])))
    return found


def review_alerts() -> list[Alert]:
    today = deadlines.local_today()
    awaiting, due = review_counts()
    found = []
    if due:
        title = gettext("%(count)d processing activities are due for review") % {"count": due}
        found.append(Alert("review", AMBER, title, str(today), f"{reverse('registry:index')}?status=review_due"))
    if awaiting:
        title = gettext("%(count)d processing activities await the DPO's review") % {"count": awaiting}
        found.append(Alert("review", AMBER, title, "", f"{reverse('registry:index')}?status=submitted"))
    return found


def export_purposes() -> list[tuple[str, str]]:
    """Approved activities as export purposes (REG-09): the value is the reference, the label names it."""
    return [
        (activity.reference, str(activity)) for activity in ProcessingActivity.objects.approved().order_by("reference")
    ]


# --------------------------------------------------------------------------- evidence pack sections


def register_section(pack: Any) -> dict[str, bytes]:
    """The record of processing activities as CSV and printable HTML (an empty controller header: a note)."""
    from django.core.exceptions import ValidationError

    from . import exports

    try:
        return {
            "register/register.csv": exports.register_export("csv"),
            "register/register.html": exports.register_export("html"),
        }
    except ValidationError as error:
        return {"register/NOT-EXPORTED.txt": " ".join(error.messages).encode()}


def breach_section(pack: Any) -> dict[str, bytes]:
    from .breach_exports import breach_register_csv

    return {"breaches/breach-register.csv": breach_register_csv()}


def security_section(pack: Any) -> dict[str, bytes]:
    """The security measures of each activity (CNIL checklist and description), as a printable page."""
    import html

    from core.evidence import html_page

    from .choices import SecurityMeasure
    from .selectors import choice_labels

    rows = "".join(
        f"<tr><td>{html.escape(a.reference)}</td><td>{html.escape(a.display_name)}</td>"
        f"<td>{html.escape(', '.join(choice_labels(a.security_measures, SecurityMeasure.choices)))}</td>"
        f"<td>{html.escape(a.security_description)}</td></tr>"
        for a in ProcessingActivity.objects.filter(archived=False).order_by("reference")
    )
    body = (
        "<table><thead><tr><th>Reference</th><th>Activity</th><th>Measures</th><th>Description</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    return {"security/security-measures.html": html_page("Security measures (Art. 32)", body)}
