"""What the dsar app shows on core's pages (DSR-14): the dashboard's requests panel, its alerts, its figure, and the
request register of the evidence pack (SEC-11).

Running requests are few (tens, not millions): the panel and the alerts read them live, once per page through
`figures.shared`, so that the countdowns are exact. The median time to answer looks at a year of answered
requests and comes from the figures store.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core import figures
from core.alerts import AMBER, RED, Alert
from core.deadlines import art12_days_left, local_date, local_today
from core.panels import Panel

from .models import ACTIVE_STATUSES, Request, RequestEvent
from .selectors import AT_RISK, OVERDUE, request_risk

MEDIAN_FIGURE = "dsar.median_days_to_answer"
DUE_SOON_DAYS = 7
ALERTS_LISTED = 10  # requests of one kind alerted one by one; more make one alert
LISTED = 5  # rows of each list the panel shows; the queue behind the link has them all


@dataclass(frozen=True)
class Running:
    pk: int
    reference: str
    due_date: date
    days_left: int
    risk: str
    paused: bool

    @property
    def days_late(self) -> int:
        return -self.days_left


def running_requests() -> list[Running]:
    """Every running request with its risk (DSR-14), the nearest due date first; computed once per dashboard page."""

    def compute() -> list[Running]:
        today = local_today()
        rows = Request.objects.filter(status__in=ACTIVE_STATUSES).only(
            "reference", "status", "received_at", "paused_days", "paused_since", "due_date", "extended_at"
        )
        return [
            Running(
                case.pk,
                case.reference,
                case.due_date,
                art12_days_left(case.due_date, today),
                request_risk(case, today),
                case.paused_since is not None,
            )
            for case in rows.order_by("due_date", "pk")
        ]

    return figures.shared("dsar.running", compute)


def median_days_to_answer() -> dict[str, Any]:
    """Median days from receipt to closure of the requests closed in the last 12 months, and how many."""
    since = timezone.now() - timedelta(days=365)
    spans = [
        (local_date(closed) - local_date(received)).days
        for received, closed in Request.objects.filter(closed_at__gte=since).values_list("received_at", "closed_at")
    ]
    return {"median": round(median(spans)) if spans else None, "answered": len(spans)}


def register_figures() -> None:
    figures.register(MEDIAN_FIGURE, median_days_to_answer, every=3600)


def requests_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("dsar.view_request"):
        return None
    running = running_requests()
    overdue = [case for case in running if case.risk == OVERDUE]
    at_risk = [case for case in running if case.risk == AT_RISK]
    due_soon = [
        case for case in running if case.risk != OVERDUE and not case.paused and case.days_left <= DUE_SOON_DAYS
    ]
    readings = figures.figures_read([MEDIAN_FIGURE])
    answered = readings[MEDIAN_FIGURE].value if MEDIAN_FIGURE in readings else {"median": None, "answered": 0}
    queue = reverse("dsar:index")
    return Panel(
        key="requests",
        title=_("Rights requests"),
        template="dsar/panels/requests.html",
        figures={
            "open": len(running),
            "at_risk": len(at_risk),
            "overdue": len(overdue),
            "due_this_week": len(due_soon),
            "overdue_rows": overdue[:LISTED],
            "due_rows": due_soon[:LISTED],
            "median_days": answered["median"],
            "answered": answered["answered"],
            "links": {
                "open": f"{queue}?status=active",
                "at_risk": f"{queue}?at_risk=on",
                "overdue": f"{queue}?overdue=on",
                "due_this_week": f"{queue}?days_left={DUE_SOON_DAYS}",
                "answered": f"{queue}?status=closed",
            },
        },
        # Running requests are read live; the freshness shown is the median's.
        computed_at=figures.oldest(readings.values()),
        url=f"{queue}?status=active",
        order=15,
        alert=bool(overdue or at_risk),
    )


def request_alerts() -> list[Alert]:
    """Each overdue request (red) and each request at risk from day 22 (amber), by reference and due date.

    More than ALERTS_LISTED of one kind make one alert for all of them, linked to the queue filtered the same
    way: the list and the digest stay readable (and the page fast) when many requests fall behind at once.
    """
    running = running_requests()
    queue = reverse("dsar:index")
    found = []
    for risk, severity, many, one, link in (
        (
            OVERDUE,
            RED,
            lambda n: ngettext("%(count)d request is overdue", "%(count)d requests are overdue", n),
            lambda case: (
                ngettext(
                    "Request %(ref)s: overdue by %(days)d day",
                    "Request %(ref)s: overdue by %(days)d days",
                    case.days_late,
                )
                % {"ref": case.reference, "days": case.days_late}
            ),
            f"{queue}?overdue=on",
        ),
        (
            AT_RISK,
            AMBER,
            lambda n: ngettext("%(count)d request is at risk", "%(count)d requests are at risk", n),
            lambda case: (
                ngettext(
                    "Request %(ref)s: due in %(days)d day", "Request %(ref)s: due in %(days)d days", case.days_left
                )
                % {"ref": case.reference, "days": case.days_left}
            ),
            f"{queue}?at_risk=on",
        ),
    ):
        cases = [case for case in running if case.risk == risk]
        if len(cases) > ALERTS_LISTED:
            detail = gettext("Earliest: %(ref)s, due %(date)s") % {"ref": cases[0].reference, "date": cases[0].due_date}
            found.append(Alert("request", severity, many(len(cases)) % {"count": len(cases)}, detail, link))
            continue
        for case in cases:
            due = gettext("Due %(date)s") % {"date": case.due_date}
            found.append(Alert("request", severity, one(case), due, reverse("dsar:request_detail", args=[case.pk])))
    return found


# --------------------------------------------------------------------------- evidence pack

REGISTER_COLUMNS = [
    "reference",
    "rights",
    "channel",
    "status",
    "received_at",
    "original_due_date",
    "due_date",
    "extended_at",
    "extension_category",
    "identity_method",
    "refusal_ground",
    "closed_at",
    "days_to_answer",
    "timeline",
]


def _day(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def request_register_rows() -> list[dict[str, str]]:
    """One row per request: references, rights, dates, statuses and the kinds of its events, never who asked."""
    timelines: dict[int, list[str]] = {}
    for request_id, kind, at in RequestEvent.objects.order_by("request_id", "occurred_at", "pk").values_list(
        "request_id", "kind", "occurred_at"
    ):
        timelines.setdefault(request_id, []).append(f"{_day(at)} {kind}")
    rows = []
    fields = REGISTER_COLUMNS[:-2]
    for case in Request.objects.order_by("received_at", "pk").values("pk", *fields):
        days = (local_date(case["closed_at"]) - local_date(case["received_at"])).days if case["closed_at"] else None
        row = {name: _day(case[name]) if name.endswith(("_at", "_date")) else case[name] for name in fields}
        row["rights"] = " ".join(case["rights"] or [])
        row["days_to_answer"] = "" if days is None else str(days)
        row["timeline"] = "; ".join(timelines.get(case["pk"], []))
        rows.append({name: str(value or "") for name, value in row.items()})
    return rows


def requests_section(pack: Any) -> dict[str, bytes]:
    """The request register with each request's timeline (DSR-16), as CSV and as a printable page."""
    from core.evidence import html_page

    rows = request_register_rows()
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=REGISTER_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    head = "".join(f"<th>{html.escape(name.replace('_', ' '))}</th>" for name in REGISTER_COLUMNS)
    body_rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(row[name])}</td>" for name in REGISTER_COLUMNS[:-1])
        + "<td><ul>"
        + "".join(f"<li>{html.escape(step)}</li>" for step in row["timeline"].split("; ") if step)
        + "</ul></td></tr>"
        for row in rows
    )
    page = html_page(
        "Register of rights requests (Art. 12 to 22)",
        f"<p>{len(rows)} requests.</p><table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>",
    )
    return {"requests/request-register.csv": stream.getvalue().encode(), "requests/request-register.html": page}
