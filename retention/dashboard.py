"""What retention adds to the dashboard (core.panels), its figures (core.figures) and alerts (core.alerts)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import figures
from core.alerts import AMBER, Alert
from core.panels import Panel, chart_data
from crm.dashboard import month_labels, per_month

from .models import PurgeRun, RetentionPolicy, RunStatus
from .selectors import expired_contacts, policy_cutoff


def past_retention() -> list[dict[str, Any]]:
    """Per enforced policy, by name: contacts past its period, held or not, not yet anonymised."""
    return [
        {"id": policy.pk, "name": policy.name, "past": expired_contacts(policy, policy_cutoff(policy)).count()}
        for policy in RetentionPolicy.objects.filter(enabled=True).exclude(target="none").order_by("name")
    ]


def purged_per_month() -> list[list[Any]]:
    return per_month(PurgeRun.objects.filter(status=RunStatus.DONE), "finished_at", value=Sum("processed"))


def register_figures() -> None:
    figures.register("retention.past_retention", past_retention, every=900, default=[])
    figures.register("retention.purged_per_month", purged_per_month)


PENDING = (RunStatus.AWAITING_APPROVAL, RunStatus.QUEUED, RunStatus.RUNNING)


def pending_runs() -> list[PurgeRun]:
    """Runs awaiting approval, queued or running, oldest first (few rows, read live once per page)."""
    return figures.shared(
        "retention.pending_runs",
        lambda: list(PurgeRun.objects.filter(status__in=PENDING).select_related("policy").order_by("created_at")),
    )


def retention_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("retention.view_retentionpolicy"):
        return None
    readings = figures.figures_read(["retention.past_retention", "retention.purged_per_month"])
    past = readings["retention.past_retention"].value
    series = readings["retention.purged_per_month"].value
    pending = {run.policy_id: run for run in reversed(pending_runs())}
    policies = [{**row, "last": pending.get(row["id"])} for row in past]
    chart = chart_data("bar", month_labels(series), [(gettext("Contacts purged"), [n for _m, n in series])])
    awaiting = sum(1 for run in pending_runs() if run.status == RunStatus.AWAITING_APPROVAL)
    return Panel(
        key="retention",
        title=_("Retention"),
        template="retention/panels/retention.html",
        figures={
            "policies": policies,
            "past_total": sum(row["past"] for row in past),
            "awaiting": awaiting,
            "chart": chart,
        },
        computed_at=figures.oldest(readings.values()),
        url=reverse("retention:index"),
        order=40,
        alert=bool(awaiting),
    )


def purge_alerts() -> list[Alert]:
    """Each purge run waiting for the DPO's approval (RET-06)."""
    runs = [run for run in pending_runs() if run.status == RunStatus.AWAITING_APPROVAL]
    return [
        Alert(
            kind="purge",
            severity=AMBER,
            title=gettext("Purge awaiting approval: %(policy)s (%(count)d contacts)")
            % {"policy": run.policy.name, "count": run.expected},
            url=reverse("retention:run_detail", args=[run.pk]),
        )
        for run in runs
    ]


# --------------------------------------------------------------------------- evidence pack section


def _csv(rows: list[list[Any]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def retention_section(pack: Any) -> dict[str, bytes]:
    """Retention policies and every purge run (counts per table, who approved, outcome)."""
    policies = [
        [
            "id",
            "name",
            "category",
            "applies_to",
            "months",
            "days",
            "start_event",
            "archive_months",
            "end_action",
            "enforced",
            "version",
            "approved_version",
        ]
    ]
    for p in RetentionPolicy.objects.order_by("pk"):
        policies.append(
            [
                p.pk,
                p.name,
                p.category,
                p.target,
                p.period_months,
                p.period_days,
                p.start_event,
                p.archive_months,
                p.end_action,
                p.enabled,
                p.version,
                p.approved_version or "",
            ]
        )
    runs = [
        [
            "id",
            "policy_id",
            "policy_version",
            "status",
            "cutoff",
            "expected",
            "processed",
            "held",
            "approved_by",
            "created_at",
            "finished_at",
            "outcome",
            "counts",
        ]
    ]
    for r in PurgeRun.objects.select_related("approved_by").order_by("pk"):
        runs.append(
            [
                r.pk,
                r.policy_id,
                r.policy_version,
                r.status,
                r.cutoff.isoformat(),
                r.expected,
                r.processed,
                r.held,
                r.approved_by.get_username() if r.approved_by else "",
                r.created_at.isoformat(),
                r.finished_at.isoformat() if r.finished_at else "",
                r.outcome,
                r.counts,
            ]
        )
    return {"retention/policies.csv": _csv(policies), "retention/purge-runs.csv": _csv(runs)}
