"""What the sessions due source hands the scheduler: reminders, alerts, prompts, places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.sessions.views import SessionView


@dataclass(frozen=True)
class Promotion:
    """A member moved off the waitlist into a place; the cog tells them, with the link."""

    session: SessionView
    member_id: int
    user_id: int
    preferred_name: str
    online_link: str | None


@dataclass(frozen=True)
class SessionReminder:
    """A reminder DM that is due: everything the message needs, stated in full."""

    reminder_id: int
    session_id: int
    guild_id: int
    member_id: int
    user_id: int
    preferred_name: str
    kind: str
    title: str
    agenda: str | None
    starts_at: datetime
    ends_at: datetime
    local_text: str
    place: str | None
    online_link: str | None
    papers_url: str | None
    sequence: int
    due_at: datetime
    late_minutes: int


@dataclass(frozen=True)
class _SessionNotice:
    """What every message to the workers about one session says."""

    session_id: int
    guild_id: int
    title: str
    starts_at: datetime
    local_text: str
    going: int


@dataclass(frozen=True)
class QuorumAlert(_SessionNotice):
    """Too few members are going to a session: tell the workers in worker-log."""

    needed: int
    worker_log_channel_id: int | None
    created_by: int | None


@dataclass(frozen=True)
class SessionEnded(_SessionNotice):
    """A session has ended and nobody has marked attendance yet: prompt the workers."""

    worker_log_channel_id: int | None
    created_by: int | None
