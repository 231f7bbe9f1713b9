"""What crm adds to the dashboard and home page (core.panels), its figures (core.figures) and alerts (core.alerts).

Figures are computed by the beat job over the whole base; panels only read them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.models import ApiKey
from core import figures
from core.alerts import AMBER, RED, Alert
from core.panels import Panel, chart_data

from .models import Contact, ContactAccess, ContactPoint, Disclosure, RecipientNotification
from .models.recipients import NotificationStatus
from .normalise import normalise_email, normalise_phone

CHART_MONTHS = 24
API_KEY_WARNING_DAYS = 30
READING_WINDOW_DAYS = 30


def month_starts(months: int, today: date | None = None) -> list[date]:
    """The first day of each of the last `months` calendar months, oldest first (local time)."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    return [date((index + offset) // 12, (index + offset) % 12 + 1, 1) for offset in range(months)]


def per_month(queryset: Any, field: str, months: int = CHART_MONTHS, value: Any = None) -> list[list[Any]]:
    """[["YYYY-MM", n], ...] for the last `months` months, zeros included (`value`: an aggregate, default Count)."""
    starts = month_starts(months)
    since = timezone.make_aware(datetime.combine(starts[0], time.min))
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(month=TruncMonth(field))
        .order_by()
        .values_list("month")
        .annotate(n=value if value is not None else Count("id"))
    )
    counts = {timezone.localtime(month).date().replace(day=1): n or 0 for month, n in rows}
    return [[month.strftime("%Y-%m"), counts.get(month, 0)] for month in starts]


def month_labels(series: list[list[Any]]) -> list[str]:
    return [date_format(date.fromisoformat(f"{month}-01"), "M Y") for month, _n in series]


# --------------------------------------------------------------------------- figures


def contact_figures() -> dict[str, Any]:
    counts: dict[str, Any] = {"total": Contact.objects.count()}
    counts["art14_pending"] = Contact.objects.art14_pending().count()
    counts["art14_overdue"] = Contact.objects.art14_overdue().count()
    counts["created_per_month"] = per_month(Contact.objects.all(), "created_at")
    return counts


def data_quality() -> dict[str, int]:
    """Invalid e-mails and phones (decrypted and checked in chunks), contacts without provenance or any point."""
    invalid = {"email": 0, "phone": 0}
    checks = {"email": normalise_email, "phone": normalise_phone}
    for kind, value in ContactPoint.objects.order_by().values_list("kind", "value").iterator(chunk_size=5000):
        try:
            checks[kind](value)
        except (ValidationError, KeyError):
            invalid[kind] = invalid.get(kind, 0) + 1
    live = Contact.objects.live()
    return {
        "invalid_emails": invalid["email"],
        "invalid_phones": invalid["phone"],
        # An indirect or event source must say which file, supplier or event (the Art. 14 notice names it).
        "missing_provenance": live.exclude(source="manual").filter(source_detail="").count(),
        "unreachable": live.exclude(points__isnull=False).count(),
    }


def exports_by_user() -> list[dict[str, Any]]:
    """Exports of the last 30 days per staff user: how many and how many contacts, largest first."""
    since = timezone.now() - timedelta(days=READING_WINDOW_DAYS)
    rows = (
        Disclosure.objects.filter(channel="export", disclosed_at__gte=since)
        .order_by()
        .values("actor_label")
        .annotate(exports=Count("id"), contacts=Sum("contact_count"))
        .order_by("-contacts")[:10]
    )
    return [{"user": row["actor_label"], "exports": row["exports"], "contacts": row["contacts"]} for row in rows]


def reading_volume() -> list[dict[str, Any]]:
    """Per user: records read in the last 24 h against their daily average over the 30 days before."""
    now = timezone.now()
    day_ago, window_start = now - timedelta(days=1), now - timedelta(days=READING_WINDOW_DAYS + 1)
    rows = (
        ContactAccess.objects.filter(accessed_at__gte=window_start, user__isnull=False)
        .order_by()
        .values("user_id", "actor_label")
        .annotate(
            today=Count("id", filter=Q(accessed_at__gte=day_ago)), before=Count("id", filter=Q(accessed_at__lt=day_ago))
        )
    )
    return [
        {"user": row["actor_label"], "today": row["today"], "usual": round(row["before"] / READING_WINDOW_DAYS, 1)}
        for row in rows
        if row["today"]
    ]


def art19_open() -> int:
    return RecipientNotification.objects.filter(status=NotificationStatus.OPEN).count()


def api_keys_expiring() -> list[dict[str, str]]:
    soon = timezone.now() + timedelta(days=API_KEY_WARNING_DAYS)
    keys = ApiKey.objects.filter(revoked_at__isnull=True, expires_at__isnull=False, expires_at__lte=soon)
    return [
        {"name": name, "prefix": prefix, "expires_at": expires_at.isoformat()}
        for name, prefix, expires_at in keys.order_by("expires_at").values_list("name", "prefix", "expires_at")[:10]
    ]


def large_exports() -> list[dict[str, Any]]:
    """Exports of more than ALERT_EXPORT_SIZE contacts in the last 24 hours (SEC-05); refreshed by each export."""
    since = timezone.now() - timedelta(days=1)
    rows = Disclosure.objects.filter(
        channel="export", disclosed_at__gte=since, contact_count__gt=settings.ALERT_EXPORT_SIZE
    ).order_by("-disclosed_at")
    return [
        {"id": pk, "count": count, "user": user, "at": at.isoformat()}
        for pk, count, user, at in rows.values_list("pk", "contact_count", "actor_label", "disclosed_at")[:20]
    ]


def duplicates_pending() -> int:
    from .models import CandidateStatus, DuplicateCandidate

    return DuplicateCandidate.objects.filter(status=CandidateStatus.PENDING).count()


def register_figures() -> None:
    figures.register("crm.duplicates_pending", duplicates_pending)
    figures.register("crm.contacts", contact_figures)
    figures.register("crm.art19_open", art19_open)
    figures.register("crm.api_keys_expiring", api_keys_expiring, every=3600)
    figures.register("crm.large_exports", large_exports)
    figures.register(
        "crm.data_quality",
        data_quality,
        every=3600,
        default={"invalid_emails": 0, "invalid_phones": 0, "missing_provenance": 0, "unreachable": 0},
    )
    figures.register("crm.exports_by_user", exports_by_user)
    figures.register("crm.reading_volume", reading_volume, every=900, default=[])


# --------------------------------------------------------------------------- home and dashboard


def home_panel(request: HttpRequest) -> dict[str, Any]:
    """The home page's contact count (core.panels context), from the figures store."""
    return {"contact_count": (figures.figure_value("crm.contacts") or {}).get("total", 0)}


def contacts_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("crm.view_contact"):
        return None
    readings = figures.figures_read(["crm.contacts"])
    value = readings["crm.contacts"].value
    series = value["created_per_month"]
    chart = chart_data("bar", month_labels(series), [(gettext("Contacts created"), [n for _m, n in series])])
    return Panel(
        key="contacts",
        title=_("Contacts"),
        template="crm/panels/contacts.html",
        figures={
            "total": value["total"],
            "created_last_12_months": sum(n for _m, n in series[-12:]),
            "art14_pending": value["art14_pending"],
            "art14_overdue": value["art14_overdue"],
            "chart": chart,
        },
        computed_at=figures.oldest(readings.values()),
        url=reverse("crm:contact_list"),
        order=10,
        alert=bool(value["art14_overdue"]),
    )


def data_quality_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("crm.view_contact"):
        return None
    readings = figures.figures_read(["crm.data_quality", "crm.art19_open"])
    value = readings["crm.data_quality"].value
    art19 = readings["crm.art19_open"].value
    return Panel(
        key="data-quality",
        title=_("Data quality"),
        template="crm/panels/data_quality.html",
        figures={**value, "art19_open": art19},
        computed_at=figures.oldest(readings.values()),
        url=reverse("crm:contact_list"),
        order=60,
        alert=bool(value["invalid_emails"] or value["invalid_phones"]),
    )


def duplicates_panel(request: HttpRequest) -> Panel | None:
    """Candidate duplicates awaiting a reviewer's decision, for those who may merge."""
    if not request.user.has_perm("crm.merge_contact"):
        return None
    readings = figures.figures_read(["crm.duplicates_pending"])
    return Panel(
        key="duplicates",
        title=_("Duplicates pending review"),
        template="crm/panels/duplicates.html",
        figures={"pending": readings["crm.duplicates_pending"].value},
        computed_at=figures.oldest(readings.values()),
        url=reverse("crm:duplicate_queue"),
        order=55,
    )


def security_panel(request: HttpRequest) -> Panel | None:
    """Exports by user over 30 days and API keys near expiry."""
    if not request.user.has_perm("access.access_dashboard"):
        return None
    readings = figures.figures_read(["crm.exports_by_user", "crm.api_keys_expiring"])
    keys = [
        {**key, "expires_at": datetime.fromisoformat(key["expires_at"])}
        for key in readings["crm.api_keys_expiring"].value
    ]
    return Panel(
        key="security",
        title=_("Exports and API keys"),
        template="crm/panels/security.html",
        figures={
            "exports": readings["crm.exports_by_user"].value,
            "keys": keys,
            "threshold": settings.ALERT_EXPORT_SIZE,
        },
        computed_at=figures.oldest(readings.values()),
        url=reverse("apikeys:list") if request.user.has_perm("access.view_apikey") else "",
        order=70,
        alert=bool(keys),
    )


# --------------------------------------------------------------------------- alerts


def export_alerts() -> list[Alert]:
    """Each export of more than ALERT_EXPORT_SIZE contacts in the last 24 hours (SEC-05), from its figure."""
    return [
        Alert(
            kind="export",
            severity=AMBER,
            title=gettext("Large export: %(count)s contacts by %(user)s")
            % {"count": row["count"], "user": row["user"]},
            detail=date_format(timezone.localtime(datetime.fromisoformat(row["at"])), "DATETIME_FORMAT"),
            url=f"{reverse('audit:explorer')}?action=contacts.exported&object=crm.Disclosure:{row['id']}",
        )
        for row in figures.figure_value("crm.large_exports") or []
        if row["count"] > settings.ALERT_EXPORT_SIZE
    ]


def reading_alerts() -> list[Alert]:
    """Staff users who read far more records than usual in the last 24 hours (from the reading figure)."""
    rows = figures.figure_value("crm.reading_volume") or []
    factor, minimum = settings.ALERT_READ_FACTOR, settings.ALERT_READ_MINIMUM
    return [
        Alert(
            kind="reading",
            severity=AMBER,
            title=gettext("Unusual reading: %(user)s opened %(today)s records in 24 h")
            % {"user": row["user"], "today": row["today"]},
            detail=gettext("About %(usual)s a day usually.") % {"usual": row["usual"]},
            url=reverse("audit:explorer"),
        )
        for row in rows
        if row["today"] >= minimum and row["today"] > factor * max(row["usual"], 1)
    ]


def art14_alerts() -> list[Alert]:
    overdue = (figures.figure_value("crm.contacts") or {}).get("art14_overdue", 0)
    if not overdue:
        return []
    return [
        Alert(
            kind="art14",
            severity=RED,
            title=gettext("%(count)s contacts are owed an Art. 14 notice past its deadline") % {"count": overdue},
            url=f"{reverse('crm:contact_list')}?art14=overdue",
        )
    ]


# --------------------------------------------------------------------------- audit explorer


def access_source(query: Any, limit: int) -> list[Any]:
    """The record-access log as an audit explorer source: who viewed which contact ("viewed")."""
    from core.audit_explorer import Row

    if query.action and query.action != "viewed":
        return []
    if query.object_type and query.object_type != "crm.Contact":
        return []
    accesses = ContactAccess.objects.order_by("-accessed_at", "-id")
    if query.user:
        accesses = accesses.filter(actor_label=query.user)
    if query.since_at:
        accesses = accesses.filter(accessed_at__gte=query.since_at)
    if query.until_at:
        accesses = accesses.filter(accessed_at__lte=query.until_at)
    if query.object_id:
        accesses = accesses.filter(contact_id=int(query.object_id))
    fields = ("accessed_at", "actor_label", "contact_id", "channel")
    return [
        Row(at, "access", actor, "viewed", "crm.Contact", str(contact_id), channel)
        for at, actor, contact_id, channel in accesses.values_list(*fields)[:limit]
    ]
