"""Calendar files (.ics) for sessions, with times in UTC so every calendar app agrees."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot.services.sessions.views import SessionView

PRODID = "-//participation-bot//sessions//EN"


def session_ics(
    *,
    session_id: int,
    guild_id: int,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    stamp: datetime,
    sequence: int = 0,
    agenda: str | None = None,
    place: str | None = None,
    online_link: str | None = None,
    papers_url: str | None = None,
    cancelled: bool = False,
) -> bytes:
    """Return an .ics file for one session; pass the online link only for confirmed attendees."""
    for moment in (starts_at, ends_at, stamp):
        if moment.tzinfo is None:
            raise ValueError("calendar times must be aware")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    # A stable UID plus a rising SEQUENCE lets calendar apps update the entry in place.
    event.add("uid", f"session-{session_id}-{guild_id}@participation-bot")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", starts_at.astimezone(UTC))
    event.add("dtend", ends_at.astimezone(UTC))
    event.add("summary", title)
    lines = [agenda] if agenda else []
    if online_link:
        lines.append(f"Join online: {online_link}")
    if papers_url:
        lines.append(f"Papers: {papers_url}")
    if lines:
        event.add("description", "\n\n".join(lines))
    location = place or online_link
    if location:
        event.add("location", location)
    if online_link:
        event.add("url", online_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return bytes(cal.to_ical())


def calendar_for(session: SessionView, stamp: datetime, online_link: str | None) -> bytes:
    """Return a session's .ics file; pass the online link only for confirmed attendees."""
    return session_ics(
        session_id=session.id,
        guild_id=session.guild_id,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        stamp=stamp,
        sequence=session.sequence,
        agenda=session.agenda,
        place=session.place,
        online_link=online_link,
        papers_url=session.papers_url,
        cancelled=session.status == "cancelled",
    )
