"""Legal deadlines, computed in one place (DESIGN.md invariant 3).

A deadline counted in months lands on the same day number of the later month,
or on that month's last day when it is shorter (31 January + 1 month = 28 or
29 February). Days are calendar days in the organisation's time zone
(settings.TIME_ZONE): a contact collected at 23:30 UTC on 31 January was
collected on 1 February in Paris.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

# Art. 14(3)(a): information "within a reasonable period after obtaining the personal data, but at the latest
# within one month".
ART14_NOTICE_MONTHS = 1


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the end of a shorter month."""
    return day + relativedelta(months=months)


def local_date(moment: datetime) -> date:
    """The calendar day `moment` falls on in the organisation's time zone."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def local_today() -> date:
    return local_date(timezone.now())


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the organisation's time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def art14_notice_due(collected_at: datetime) -> date:
    """The last day to inform a person whose data were not obtained from them (Art. 14(3)(a))."""
    return add_months(local_date(collected_at), ART14_NOTICE_MONTHS)


def art14_overdue_cutoff(today: date) -> datetime:
    """The instant before which a collection is overdue on `today` (its due date is before `today`).

    Due dates are not one-to-one with collection days (28 to 31 January are all
    due on 28 February), so the cutoff is the first collection day still due
    today or later, found by walking forward from `today` minus one month.
    """
    first_not_overdue = add_months(today, -ART14_NOTICE_MONTHS)
    while add_months(first_not_overdue, ART14_NOTICE_MONTHS) < today:
        first_not_overdue += timedelta(days=1)
    return start_of_day(first_not_overdue)


# Art. 33(1): notify the supervisory authority "not later than 72 hours after having become aware" of a breach.
ART33_NOTIFICATION_HOURS = 72


def art33_notification_due(aware_at: datetime) -> datetime:
    """The instant the Art. 33(1) notification falls due: 72 elapsed hours, whatever the clocks do meanwhile.

    Counted in UTC: adding hours to a Europe/Paris datetime adds wall-clock hours, one too many or too few
    across a change of clocks.
    """
    return aware_at.astimezone(UTC) + timedelta(hours=ART33_NOTIFICATION_HOURS)


def art33_time_left(aware_at: datetime, now: datetime) -> timedelta:
    """Time until the Art. 33(1) deadline; negative once it has passed."""
    return art33_notification_due(aware_at) - now


def retention_expires_on(start: datetime, *, months: int = 0, days: int = 0) -> date:
    """The first day a record whose clock started at `start` is past its retention period.

    The period is counted on the calendar day `start` falls on in the organisation's
    time zone: 3 years from 29 February 2024 ends on 28 February 2027 (the last day
    of the shorter month), and the record expires that day.
    """
    return add_months(local_date(start), months) + timedelta(days=days)


def retention_cutoff(today: date, *, months: int = 0, days: int = 0) -> datetime:
    """The instant before which a clock start means "expired on `today`" (its expiry day is `today` or earlier).

    Month arithmetic is not one-to-one (29, 30 and 31 December + 2 months all land on
    28 February), so the cutoff is the first start day still unexpired today, found by
    walking back from `today` minus the period.
    """
    first_unexpired = add_months(today - timedelta(days=days), -months) + timedelta(days=1)
    while first_unexpired > date.min + timedelta(days=1) and (
        add_months(first_unexpired - timedelta(days=1), months) + timedelta(days=days) > today
    ):
        first_unexpired -= timedelta(days=1)
    while add_months(first_unexpired, months) + timedelta(days=days) <= today:
        first_unexpired += timedelta(days=1)
    return start_of_day(first_unexpired)


# Art. 12(3): answer a rights request "within one month of receipt", extendable "by two further months"; the
# extension must be announced "within one month of receipt". DSR-06 (France): the clock stops while the
# controller awaits information needed to identify the person, and the due date moves by the days stopped.
ART12_RESPONSE_MONTHS = 1
ART12_EXTENSION_MONTHS = 2
# DSR-14: a case shows amber from day 22 of its month (9 days before a 31-day month ends), red once overdue.
ART12_AT_RISK_FROM_DAY = 22
ART12_AT_RISK_DAYS_BEFORE_EXTENDED_DUE = 9


def art12_due(received_at: datetime, *, paused_days: int = 0, extended: bool = False) -> date:
    """The last day to answer a request received at `received_at` (Art. 12(3), DSR-03/04/06).

    One calendar month from the day of receipt in the organisation's time zone
    (31 January -> 28 or 29 February), three with the extension (31 January ->
    30 April: counted from receipt, not from the first due date), plus the days
    the clock was suspended.
    """
    months = ART12_RESPONSE_MONTHS + (ART12_EXTENSION_MONTHS if extended else 0)
    return add_months(local_date(received_at), months) + timedelta(days=paused_days)


def art12_paused_days(paused_since: datetime, resumed_at: datetime) -> int:
    """Calendar days the clock stood still: asked on 5 March, answered on 12 March -> 7 (DSR-06)."""
    return max(0, (local_date(resumed_at) - local_date(paused_since)).days)


def art12_extension_open(received_at: datetime, *, paused_days: int, today: date) -> bool:
    """Whether the request may still be extended on `today`: only up to the original due date (DSR-04)."""
    return today <= art12_due(received_at, paused_days=paused_days)


def art12_at_risk_from(received_at: datetime, *, paused_days: int, due: date, extended: bool) -> date:
    """The first day a running case shows amber (DSR-14): day 22 of its month, or 9 days before an extended due."""
    if extended:
        return due - timedelta(days=ART12_AT_RISK_DAYS_BEFORE_EXTENDED_DUE)
    return local_date(received_at) + timedelta(days=paused_days + ART12_AT_RISK_FROM_DAY)


def art12_days_left(due: date, today: date) -> int:
    """Days until the due date, 0 on the day itself, negative once overdue."""
    return (due - today).days
