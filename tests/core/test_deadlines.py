"""Deadlines at month ends, leap days and time-zone edges (DESIGN.md invariant 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.deadlines import add_months, art14_notice_due, art14_overdue_cutoff, local_date


@pytest.fixture(autouse=True)
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),  # across the year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # leap day, one year on
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), 3, date(2026, 8, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("collected_at", "due"),
    [
        (datetime(2026, 3, 10, 9, 0, tzinfo=UTC), date(2026, 4, 10)),
        (datetime(2026, 1, 31, 12, 0, tzinfo=UTC), date(2026, 2, 28)),
        (datetime(2028, 1, 31, 12, 0, tzinfo=UTC), date(2028, 2, 29)),
        (datetime(2028, 2, 29, 12, 0, tzinfo=UTC), date(2028, 3, 29)),
        # 23:30 UTC on 31 January is 00:30 on 1 February in Paris: due on 1 March, not on 28 February
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), date(2026, 3, 1)),
        # 22:30 UTC on 31 March is 00:30 on 1 April in Paris (summer time, UTC+2)
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), date(2026, 5, 1)),
        (datetime(2026, 3, 31, 21, 30, tzinfo=UTC), date(2026, 4, 30)),
    ],
)
def test_art14_notice_is_due_one_month_after_the_local_collection_day(collected_at, due):
    assert art14_notice_due(collected_at) == due


def test_the_collection_day_follows_settings_time_zone(settings):
    moment = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert art14_notice_due(moment) == date(2026, 3, 1)
    settings.TIME_ZONE = "UTC"
    assert art14_notice_due(moment) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("today", "cutoff_day"),
    [
        (date(2026, 3, 1), date(2026, 2, 1)),  # collected 31 January: due 28 February, overdue on 1 March
        (date(2026, 2, 28), date(2026, 1, 28)),  # 28-31 January are all due today: not yet overdue
        (date(2026, 3, 31), date(2026, 3, 1)),  # every February day is due by 28 March
        (date(2028, 3, 30), date(2028, 3, 1)),  # leap year: 29 February is due on 29 March
        (date(2028, 3, 29), date(2028, 2, 29)),
    ],
)
def test_overdue_cutoff_is_midnight_of_the_first_collection_day_still_in_time(today, cutoff_day):
    cutoff = art14_overdue_cutoff(today)
    assert local_date(cutoff) == cutoff_day
    assert (cutoff.hour, cutoff.minute) == (0, 0)


def test_overdue_cutoff_agrees_with_the_due_date_on_every_day_of_two_years():
    # A collection day is overdue on `today` exactly when its due date is before today, leap year included.
    start = date(2027, 12, 1)
    for offset in range(800):
        today = start + timedelta(days=offset)
        cutoff_day = local_date(art14_overdue_cutoff(today))
        for back in range(20, 45):
            collected = today - timedelta(days=back)
            assert (collected < cutoff_day) == (add_months(collected, 1) < today), (today, collected)


def test_a_collection_just_before_local_midnight_is_overdue_one_day_earlier_than_just_after():
    # 22:59 UTC on 31 January is still 31 January in Paris; 23:00 UTC is 1 February.
    cutoff = art14_overdue_cutoff(date(2026, 3, 1))
    assert datetime(2026, 1, 31, 22, 59, tzinfo=UTC) < cutoff
    assert datetime(2026, 1, 31, 23, 0, tzinfo=UTC) >= cutoff
