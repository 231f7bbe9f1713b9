from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Contact


def contact_count() -> int:
    return Contact.objects.count()


def contact_list(*, user: Any, search: str = "") -> QuerySet[Contact]:
    return Contact.objects.restrict(user, "view").search(search)


def contact_history(*, contact: Contact) -> QuerySet:
    return contact.history.select_related("history_user").order_by("-history_date", "-history_id")


def contacts_created_per_month(*, months: int = 12, today: date | None = None) -> list[tuple[date, int]]:
    """Contacts created in each of the last `months` calendar months (local time), oldest first, zeros included."""
    today = today or timezone.localdate()
    month_index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(month_index // 12, month_index % 12 + 1, 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Contact.objects.filter(created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("id"))
    )
    counts = {timezone.localtime(month).date().replace(day=1): n for month, n in rows}
    result = []
    for offset in range(months):
        index = month_index + offset
        month = date(index // 12, index % 12 + 1, 1)
        result.append((month, counts.get(month, 0)))
    return result


HISTORY_TYPE_LABELS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
# Timestamps change on every save; listing them would hide the real change.
_HISTORY_DIFF_EXCLUDED = ["created_at", "updated_at"]


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a contact's change history, ready to display."""

    date: datetime
    type: str  # "+", "~" or "-" (simple-history's history_type)
    type_label: str
    actor: str
    changed_fields: list[str]
    reason: str


def _history_actor(record: Any) -> str:
    if record.history_user_id and record.history_user is not None:
        return record.history_user.get_username()
    return f"{record.history_actor_kind}:{record.history_actor_label}"


def contact_history_entries(*, contact: Contact, limit: int = 50) -> list[HistoryEntry]:
    """The latest `limit` history rows, newest first, each with the fields it changed (by verbose name)."""
    records = list(contact_history(contact=contact)[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changed: list[str] = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=_HISTORY_DIFF_EXCLUDED)
            changed = [str(Contact._meta.get_field(name).verbose_name) for name in delta.changed_fields]
        entries.append(
            HistoryEntry(
                date=record.history_date,
                type=record.history_type,
                type_label=str(HISTORY_TYPE_LABELS.get(record.history_type, record.history_type)),
                actor=_history_actor(record),
                changed_fields=changed,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def home_panel(request: Any) -> dict[str, Any]:
    """What the home page shows about contacts (registered with core.panels)."""
    return {"contact_count": contact_count()}


def dashboard_panel(request: Any) -> dict[str, Any]:
    """The dashboard's contact figures and chart (registered with core.panels)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    per_month = contacts_created_per_month(months=12)
    chart = {
        "label": gettext("Contacts created"),
        "labels": [date_format(month, "M Y") for month, _count in per_month],
        "values": [count for _month, count in per_month],
    }
    return {"chart": chart, "contact_count": contact_count(), "created_last_12_months": sum(chart["values"])}
