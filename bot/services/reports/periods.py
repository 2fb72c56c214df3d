"""The period a report covers: a named choice or typed dates, checked and turned into UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import InvalidInput
from bot.services.timeparse import format_date, localize, parse_date

PERIODS: dict[str, str] = {
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "last_12_months": "The last 12 months",
    "financial_year": "This financial year (from 1 April)",
}
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """From `start` (inclusive) to `end` (exclusive), aware UTC; `last_day` is the local date."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date
    label: str

    @property
    def days(self) -> int:
        """Return how many days the period covers."""
        return (self.last_day - self.first_day).days + 1


def _month_start(day: date, back: int = 0) -> date:
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


def _named(choice: str, today: date) -> tuple[date, date]:
    """Return the first day and the day after the last for a named period."""
    if choice == "this_month":
        return _month_start(today), _month_start(today, -1)
    if choice == "last_month":
        return _month_start(today, 1), _month_start(today)
    quarter_start = _month_start(today, (today.month - 1) % 3)
    if choice == "this_quarter":
        return quarter_start, _month_start(quarter_start, -3)
    if choice == "last_quarter":
        return _month_start(quarter_start, 3), quarter_start
    if choice == "last_12_months":
        return _month_start(today, 11), _month_start(today, -1)
    if choice == "financial_year":
        year = today.year if today.month >= 4 else today.year - 1
        return date(year, 4, 1), date(year + 1, 4, 1)
    raise InvalidInput("Please choose a period from the list.")


def _describe(first: date, last: date) -> str:
    if first.day == 1 and last == _month_start(last, -1) - timedelta(days=1):
        if first == _month_start(last):
            return f"{first:%B %Y}"
        return f"{first:%B %Y} to {last:%B %Y}"
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def _not_future(first: date, today: date) -> None:
    if first > today:
        raise InvalidInput(
            f"That period starts on {format_date(first)}, which has not happened yet. "
            "A report can only cover what has already happened."
        )


def resolve_period(
    choice: str | None,
    date_from: str | None,
    date_to: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> Period:
    """Turn a named period or typed from/to dates into a checked Period (to today at most)."""
    today = now.astimezone(tz).date()
    if date_from or date_to:
        if not date_from:
            raise InvalidInput(
                "Please give a `from` date as well as the `to` date, like `1 Apr 2026`."
            )
        first = parse_date(date_from, now, tz)
        _not_future(first, today)
        last_typed = parse_date(date_to, now, tz) if date_to else today
        after = last_typed + timedelta(days=1)
        if after <= first:
            raise InvalidInput(
                f"The `from` date ({format_date(first)}) is after the `to` date "
                f"({format_date(after - timedelta(days=1))}). Please swap them round."
            )
    else:
        first, after = _named(choice or "this_month", today)
    _not_future(first, today)
    if (after - first).days > MAX_DAYS:
        raise InvalidInput(
            f"That is {(after - first).days} days. A report covers at most a year "
            f"({MAX_DAYS} days): please run one report per year."
        )
    so_far = after > today + timedelta(days=1)
    last = min(after, today + timedelta(days=1)) - timedelta(days=1)
    start = localize(datetime.combine(first, datetime.min.time()), tz)
    end = localize(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz)
    label = _describe(first, after - timedelta(days=1))
    if so_far:
        label += f" (so far, to {last.day} {last:%B})"
    return Period(start=start, end=min(end, now), first_day=first, last_day=last, label=label)
