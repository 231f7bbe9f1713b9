"""`seed_demo` step of the retention app: the default policies linked to the demo register, a policy for
every other category of every approved activity, inbound and outbound activity, and a legal hold."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone

from crm.generation import seed_step
from crm.models import Contact, ContactStatus
from registry.models import ProcessingActivity

from .models import ActivityKind, ContactActivity, LegalHold, PurgeRun, RetentionPolicy, RunStatus

# The demo register's activities (registry.seeding) that the enforced defaults belong to.
DEFAULT_LINKS = {"prospects": "ACT-002", "customers": "ACT-001"}


@seed_step(140)
def seed_retention(ctx: Any) -> None:
    activities = {a.reference: a for a in ProcessingActivity.objects.approved().prefetch_related("data_categories")}
    for key, reference in DEFAULT_LINKS.items():
        if reference in activities:
            RetentionPolicy.objects.filter(key=key, activity__isnull=True).update(activity=activities[reference])
    for activity in activities.values():
        for row in activity.data_categories.all():
            _documented_policy(activity, row)
    _seed_activity(ctx)
    _seed_past_runs(ctx)
    owner = ctx.users.get("DPO")
    held = Contact.objects.filter(status=ContactStatus.PROSPECT).order_by("pk").first()
    if owner is not None and held is not None and not LegalHold.objects.exists():
        LegalHold.objects.create(
            contact=held,
            reason="Dispute over an order (demo)",
            owner=owner,
            ends_on=timezone.localdate() + timedelta(days=365),
        )
    ctx.out(f"retention: {RetentionPolicy.objects.count()} policies")


def _months(text: str) -> int:
    """The period the register states in words ("5 years after closure" -> 60), 36 months when it says none."""
    match = re.search(r"(\d+)\s*(year|month)", text)
    if match is None:
        return 36
    return int(match.group(1)) * (12 if match.group(2) == "year" else 1)


def _documented_policy(activity: ProcessingActivity, row: Any) -> None:
    if RetentionPolicy.objects.filter(activity=activity, category=row.category).exists():
        return
    RetentionPolicy.objects.create(
        key=f"{activity.reference}-{row.category}".lower().replace("_", "-")[:40],
        name=f"{activity.name}: {row.get_category_display()}",
        activity=activity,
        category=row.category,
        start_event="record_date",
        period_months=_months(row.retention),
        end_action="delete",
        legal_reference=row.retention or activity.legal_basis_detail or "-",
    )


def _seed_activity(ctx: Any) -> None:
    """A third of the prospects clicked or replied lately; every prospect got an outbound e-mail. Once only."""
    if ContactActivity.objects.exists():
        return
    now = timezone.now()
    rows = []
    for pk in Contact.objects.filter(status=ContactStatus.PROSPECT).values_list("pk", flat=True):
        rows.append(ContactActivity(contact_id=pk, kind=ActivityKind.OUTBOUND_EMAIL, inbound=False, occurred_at=now))
        if ctx.rng.random() < 0.3:
            kind = ctx.rng.choice([ActivityKind.CLICK, ActivityKind.REPLY, ActivityKind.FORM])
            when = now - timedelta(days=ctx.rng.randint(1, 700))
            rows.append(ContactActivity(contact_id=pk, kind=kind, inbound=True, occurred_at=when))
    ContactActivity.objects.bulk_create(rows, batch_size=2000)


def _seed_past_runs(ctx: Any) -> None:
    """Once: a finished monthly purge of deleted contacts in each of the last 24 months, for the dashboard's chart.

    They purged demo contacts that were never generated: the counts give the chart its shape, nothing else.
    """
    policy = RetentionPolicy.objects.filter(key="deleted-contacts").first()
    if policy is None or PurgeRun.objects.filter(status=RunStatus.DONE).exists():
        return
    now = timezone.now()
    for months_ago in range(24, 0, -1):
        finished = now - timedelta(days=30 * months_ago - ctx.rng.randint(0, 5))
        count = ctx.rng.randint(3, 40)
        run = PurgeRun.objects.create(
            policy=policy,
            policy_version=policy.version,
            status=RunStatus.DONE,
            cutoff=finished - timedelta(days=30),
            expected=count,
            processed=count,
            outcome="Demo history",
        )
        PurgeRun.objects.filter(pk=run.pk).update(created_at=finished, started_at=finished, finished_at=finished)
