"""CNS-09: telephone canvassing of consumers.

Before `CONSENT_PHONE_OPT_IN_FROM`, a consumer without a current contract may be
called only if their number was checked against Bloctel (the national
opposition list) within `CONSENT_BLOCTEL_VALIDITY_DAYS` and is not on it; from
that date, only with phone consent (eligibility's rule). Whatever the date,
calls to consumers are allowed only on weekdays that are not French public
holidays, in the slots of `CONSENT_CALL_SLOTS` (décret 2022-1313: 10:00-13:00
and 14:00-20:00, local time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import audit_event_record

from .models import BloctelCheck

FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def easter_sunday(year: int) -> dt.date:
    """The Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def is_public_holiday(day: dt.date) -> bool:
    """French public holidays: the fixed ones, Easter Monday, Ascension Thursday and Whit Monday."""
    if (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    easter = easter_sunday(day.year)
    return day in {easter + dt.timedelta(days=offset) for offset in (1, 39, 50)}


@lru_cache(maxsize=4)
def _slots(text: str) -> list[tuple[dt.time, dt.time]]:
    slots = []
    for part in text.split(","):
        start, end = part.strip().split("-")
        slots.append((dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())))
    return slots


def call_slot_allowed(at: dt.datetime) -> bool:
    """May a consumer be called at `at` (aware)? Weekdays, not a public holiday, inside a slot (end excluded)."""
    local = timezone.localtime(at)
    if local.weekday() >= 5 or is_public_holiday(local.date()):
        return False
    moment = local.time()
    return any(start <= moment < end for start, end in _slots(settings.CONSENT_CALL_SLOTS))


def bloctel_valid_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.CONSENT_BLOCTEL_VALIDITY_DAYS)


def bloctel_record(
    *, checked: Iterable[str], listed: Iterable[str], checked_at: dt.datetime | None = None
) -> dict[str, int]:
    """Record a Bloctel answer: every hash of `checked` was sent, those of `listed` came back as listed.

    Numbers listed but not in `checked` count as checked too. Answers older than
    the validity period are dropped. Returns the counts written.
    """
    checked_at = checked_at or timezone.now()
    listed = set(listed)
    checked = set(checked) | listed
    rows = [BloctelCheck(value_hash=h, listed=h in listed, checked_at=checked_at) for h in sorted(checked)]
    with transaction.atomic():
        BloctelCheck.objects.bulk_create(
            rows,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["value_hash"],
            update_fields=["listed", "checked_at"],
        )
        dropped, _ = BloctelCheck.objects.filter(checked_at__lt=bloctel_valid_since(checked_at)).delete()
        counts = {"checked": len(checked), "listed": len(listed), "dropped": dropped}
        audit_event_record(action="consent.bloctel_recorded", obj=None, data=counts)
    return counts
