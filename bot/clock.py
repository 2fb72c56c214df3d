"""The source of "now" for services; tests swap in a clock they control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Tell the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current moment in UTC."""
        return datetime.now(UTC)

    def real_seconds(self, span: timedelta) -> float:
        """Return how many wall-clock seconds a span of this clock's time takes."""
        return span.total_seconds()


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


class ScaledClock(Clock):
    """A clock that runs faster than the wall clock from a chosen start (fault soaks, demos).

    A month of scheduled work can then happen in a minute in a real, separate process: the
    scheduler asks `real_seconds` how long to sleep for a span of this clock's time.
    """

    def __init__(self, start: datetime, speed: float, anchor: datetime | None = None) -> None:
        if start.tzinfo is None or (anchor is not None and anchor.tzinfo is None):
            raise ValueError("ScaledClock needs an aware datetime")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start.astimezone(UTC)
        # The wall moment `start` names: by default now; given, processes started at different
        # moments agree on the time.
        self._wall_start = anchor.astimezone(UTC) if anchor is not None else datetime.now(UTC)
        self.speed = speed

    def now(self) -> datetime:
        """Return the scaled moment: the start plus the wall time since, times the speed."""
        return self._start + (datetime.now(UTC) - self._wall_start) * self.speed

    def real_seconds(self, span: timedelta) -> float:
        """Return how many wall-clock seconds a span of this clock's time takes."""
        return span.total_seconds() / self.speed
