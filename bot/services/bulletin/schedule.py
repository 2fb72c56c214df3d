"""When each month's bulletin falls due, in UK time, and which month is next."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.services.timeparse import localize
from bot.settings import Settings

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def month_key(year: int, month: int) -> str:
    """Return the stored key of a month, e.g. "2026-12"."""
    return f"{year:04d}-{month:02d}"


def month_name(key: str) -> str:
    """Return a month key in words, e.g. "December 2026"."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {int(year)}"


def due_in(year: int, month: int, settings: Settings) -> datetime:
    """Return when a month's bulletin is due: its configured day and time, UK time, as UTC."""
    config = settings.bulletin
    clock = time.fromisoformat(config.time)
    return localize(datetime.combine(date(year, month, config.day_of_month), clock), settings.tz)


def this_month(now: datetime, settings: Settings) -> tuple[str, datetime]:
    """Return the current UK month's key and its bulletin's due time."""
    local = now.astimezone(settings.tz)
    return month_key(local.year, local.month), due_in(local.year, local.month, settings)


def next_month(now: datetime, settings: Settings) -> tuple[str, datetime]:
    """Return the following UK month's key and its bulletin's due time."""
    local = now.astimezone(settings.tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return month_key(year, month), due_in(year, month, settings)


def in_window(now: datetime, due: datetime, settings: Settings) -> bool:
    """Tell whether a bulletin due then may go now: due, and not more than the catch-up late."""
    return due <= now <= due + timedelta(hours=settings.bulletin.catch_up_hours)
