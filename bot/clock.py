"""The source of "now" for services; tests swap in a clock they control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Tell the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current moment in UTC."""
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that only moves when told to (tests and the sandbox demo)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the clock's current moment."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jump to a moment."""
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = moment.astimezone(UTC)
