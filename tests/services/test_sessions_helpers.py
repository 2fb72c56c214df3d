"""Helpers for the sessions tests, and tests of the small pieces they rely on."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.container import Services
from bot.services.sessions import SessionForm, SessionView
from bot.services.sessions.calendar import session_ics
from bot.services.sessions.rules import check_url
from tests.conftest import WORKER

ZOOM = "https://zoom.us/j/123456789"


def session_form(**changes: object) -> SessionForm:
    """Return a valid form: Thursday 10 December 2026, 5pm UK, 90 minutes, online."""
    values: dict[str, object] = {
        "title": "Monthly group",
        "start": "2026-12-10 17:00",
        "duration_minutes": 90,
        "agenda": "1. Welcome\n2. The new waiting room",
        "online_link": ZOOM,
    }
    values.update(changes)
    return SessionForm(**values)  # type: ignore[arg-type]


async def scheduled(services: Services, **changes: object) -> SessionView:
    """Schedule one session as the worker (warnings confirmed) and return it."""
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(**changes), confirm=True
    )
    assert outcome.saved
    return outcome.sessions[0]


def test_check_url_accepts_web_links_only() -> None:
    assert check_url(" https://teams.microsoft.com/l/meetup ", "link") == (
        "https://teams.microsoft.com/l/meetup"
    )
    assert check_url("", "link") is None
    for bad in [
        "zoom.us/j/1",
        "ftp://x.org/a",
        "javascript:alert(1)",
        "https://",
        "http://a b.com",
    ]:
        try:
            check_url(bad, "link")
        except Exception as exc:
            assert "web address" in str(exc)
        else:
            raise AssertionError(bad)


def test_ics_has_utc_times() -> None:
    from icalendar import Calendar

    content = session_ics(
        session_id=1,
        guild_id=2,
        title="T",
        starts_at=datetime(2026, 6, 1, 16, 0, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 17, 30, tzinfo=UTC),
        stamp=datetime(2026, 5, 1, tzinfo=UTC),
    )
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert b"DTSTART:20260601T160000Z" in content
