"""Disposal dates: calendar arithmetic with the month-end rules a records manager expects."""

import calendar
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retention_schedule.models import RetentionRule
from retention_schedule.periods import Period, parse_period

DAYS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31))
PERIODS = st.builds(
    Period,
    years=st.integers(0, 100),
    months=st.integers(0, 240),
    weeks=st.integers(0, 520),
    days=st.integers(0, 3650),
)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("P1M", datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        ("P1M", datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),  # a leap year
        ("P1Y", datetime.date(2024, 2, 29), datetime.date(2025, 2, 28)),
        ("P4Y", datetime.date(2024, 2, 29), datetime.date(2028, 2, 29)),
        ("P1M", datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)),
        ("P2M", datetime.date(2026, 12, 31), datetime.date(2027, 2, 28)),
        ("P12M", datetime.date(2026, 11, 22), datetime.date(2027, 11, 22)),
        ("P2Y", datetime.date(2026, 11, 22), datetime.date(2028, 11, 22)),
        ("P30D", datetime.date(2026, 2, 1), datetime.date(2026, 3, 3)),
        ("P1Y1D", datetime.date(2026, 12, 31), datetime.date(2028, 1, 1)),
    ],
)
def test_examples(period, start, end):
    assert parse_period(period).after(start) == end


@given(PERIODS, DAYS, DAYS)
def test_a_later_trigger_never_gives_an_earlier_disposal_date(period, first, second):
    first, second = sorted((first, second))
    assert period.after(first) <= period.after(second)


@given(PERIODS, DAYS)
def test_records_are_never_disposed_of_before_their_trigger(period, start):
    assert period.after(start) >= start


@given(st.integers(1, 240), DAYS)
def test_whole_months_land_on_the_same_day_or_the_last_day_of_a_shorter_month(months, start):
    end = Period(months=months).after(start)
    month_index = start.year * 12 + start.month - 1 + months
    assert (end.year, end.month) == (month_index // 12, month_index % 12 + 1)
    assert end.day == min(start.day, calendar.monthrange(end.year, end.month)[1])


@given(st.integers(1, 100), DAYS)
def test_years_are_twelve_months(years, start):
    assert Period(years=years).after(start) == Period(months=12 * years).after(start)


@given(st.integers(0, 3650), st.integers(0, 520), DAYS)
def test_weeks_and_days_are_exact(days, weeks, start):
    assert Period(weeks=weeks, days=days).after(start) - start == datetime.timedelta(days=days + 7 * weeks)


def test_a_rule_without_a_fixed_period_has_no_disposal_date():
    permanent = RetentionRule(period_type="permanent", period="", disposal_action="archive")
    until = RetentionRule(period_type="until_event", period="", criteria="Until you unsubscribe")
    fixed = RetentionRule(period_type="fixed", period="P2Y", trigger="closure")
    assert permanent.disposal_date(datetime.date(2026, 1, 1)) is None
    assert until.disposal_date(datetime.date(2026, 1, 1)) is None
    assert fixed.disposal_date(datetime.date(2026, 1, 31)) == datetime.date(2028, 1, 31)
