"""Deadlines at month ends, leap days and time-zone edges (DESIGN.md invariant 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.deadlines import (
    add_months,
    art12_at_risk_from,
    art12_days_left,
    art12_due,
    art12_extension_open,
    art12_paused_days,
    art14_notice_due,
    art14_overdue_cutoff,
    local_date,
)


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


# ---- Art. 12(3): rights requests


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_a_request_is_due_one_calendar_month_after_receipt(received, due):
    assert art12_due(noon(received)) == due


@pytest.mark.parametrize("year", [2025, 2024])
def test_an_extension_counts_three_months_from_receipt_not_from_the_first_due_date(year):
    # 31 January -> 28/29 February, and extended -> 30 April (not 28/29 April).
    assert art12_due(noon(date(year, 1, 31)), extended=True) == date(year, 4, 30)


def test_the_receipt_day_is_the_day_in_the_organisations_time_zone(settings):
    late_evening_utc = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # 1 February 00:30 in Paris
    assert art12_due(late_evening_utc) == date(2026, 3, 1)
    settings.TIME_ZONE = "UTC"
    assert art12_due(late_evening_utc) == date(2026, 2, 28)


def test_suspended_days_push_the_due_date_back():
    # DSR-06: received 1 March, information asked 5 March, received 12 March -> due 8 April.
    paused = art12_paused_days(noon(date(2026, 3, 5)), noon(date(2026, 3, 12)))
    assert paused == 7
    assert art12_due(noon(date(2026, 3, 1)), paused_days=paused) == date(2026, 4, 8)
    assert art12_due(noon(date(2026, 3, 1))) == date(2026, 4, 1)  # suspension off


def test_paused_days_are_calendar_days_across_a_change_of_clocks():
    # Clocks go forward in Paris on 29 March 2026: still 2 calendar days.
    assert art12_paused_days(datetime(2026, 3, 28, 22, 0, tzinfo=UTC), datetime(2026, 3, 30, 21, 0, tzinfo=UTC)) == 2
    assert art12_paused_days(noon(date(2026, 3, 12)), noon(date(2026, 3, 5))) == 0


def test_an_extension_is_open_only_up_to_the_original_due_date():
    received = noon(date(2026, 1, 31))
    assert art12_extension_open(received, paused_days=0, today=date(2026, 2, 28))
    assert not art12_extension_open(received, paused_days=0, today=date(2026, 3, 1))
    # Suspended days move the original due date too.
    assert art12_extension_open(received, paused_days=3, today=date(2026, 3, 3))


def test_a_case_turns_amber_on_day_22_and_counts_days_left():
    received = noon(date(2026, 3, 1))
    due = art12_due(received)
    assert art12_at_risk_from(received, paused_days=0, due=due, extended=False) == date(2026, 3, 23)
    assert art12_at_risk_from(received, paused_days=2, due=due, extended=False) == date(2026, 3, 25)
    extended_due = art12_due(received, extended=True)
    assert art12_at_risk_from(received, paused_days=0, due=extended_due, extended=True) == extended_due - timedelta(9)
    assert art12_days_left(due, due) == 0
    assert art12_days_left(due, due + timedelta(days=1)) == -1
