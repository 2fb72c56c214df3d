"""The period a report covers: named choices, typed dates, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.errors import InvalidInput, ServiceError
from bot.services.reports.periods import PERIODS, resolve_period

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "first", "last", "label"),
    [
        (
            "this_month",
            date(2026, 11, 1),
            date(2026, 11, 23),
            "November 2026 (so far, to 23 November)",
        ),
        ("last_month", date(2026, 10, 1), date(2026, 10, 31), "October 2026"),
        (
            "this_quarter",
            date(2026, 10, 1),
            date(2026, 11, 23),
            "October 2026 to December 2026 (so far, to 23 November)",
        ),
        ("last_quarter", date(2026, 7, 1), date(2026, 9, 30), "July 2026 to September 2026"),
        (
            "last_12_months",
            date(2025, 12, 1),
            date(2026, 11, 23),
            "December 2025 to November 2026 (so far, to 23 November)",
        ),
        (
            "financial_year",
            date(2026, 4, 1),
            date(2026, 11, 23),
            "April 2026 to March 2027 (so far, to 23 November)",
        ),
    ],
)
def test_named_periods(choice: str, first: date, last: date, label: str) -> None:
    period = resolve_period(choice, None, None, NOW, TZ)
    assert (period.first_day, period.last_day, period.label) == (first, last, label)
    assert period.end <= NOW


def test_uk_midnight_in_summer_and_winter() -> None:
    period = resolve_period(None, "1 Oct 2026", "31 Oct 2026", NOW, TZ)
    assert period.start == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)  # BST
    assert period.end == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # GMT
    assert period.days == 31


def test_january_wraps_to_last_year() -> None:
    january = datetime(2027, 1, 10, 12, tzinfo=UTC)
    assert resolve_period("last_month", None, None, january, TZ).label == "December 2026"
    assert resolve_period("last_quarter", None, None, january, TZ).first_day == date(2026, 10, 1)
    assert resolve_period("financial_year", None, None, january, TZ).first_day == date(2026, 4, 1)


def test_from_alone_runs_to_today() -> None:
    period = resolve_period(None, "1 Sep 2026", None, NOW, TZ)
    assert (period.first_day, period.last_day) == (date(2026, 9, 1), date(2026, 11, 23))


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        ("1 Jan 2027", None, "has not happened yet"),
        ("1 Dec 2026", "31 Dec 2026", "has not happened yet"),
        ("1 Jan 2016", "31 Dec 2025", "at most a year"),
        ("31 Oct 2026", "1 Oct 2026", "swap them round"),
        (None, "31 Oct 2026", "`from` date as well"),
        ("yesterday-ish", None, "date"),
    ],
)
def test_refusals(date_from: str | None, date_to: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        resolve_period(None, date_from, date_to, NOW, TZ)


@given(st.text(max_size=80), st.text(max_size=80), st.sampled_from([None, *PERIODS]))
def test_anything_typed_is_a_period_or_a_kind_refusal(a: str, b: str, choice: str | None) -> None:
    try:
        period = resolve_period(choice, a or None, b or None, NOW, TZ)
    except ServiceError as refused:
        assert refused.message and len(refused.message) < 400
        return
    assert period.start < period.end <= NOW
    assert period.days <= 366
