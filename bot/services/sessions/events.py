"""What the sessions due source hands the scheduler: reminders, alerts, prompts, places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.base import view_from
from bot.services.sessions.views import SessionView, local_range

if TYPE_CHECKING:
    from bot.db.models import GroupSession, Member
    from bot.db.models import SessionReminder as ReminderRow
    from bot.settings import Settings


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


def reminder_event(
    settings: Settings,
    row: ReminderRow,
    gs: GroupSession,
    member: Member,
    late_minutes: int,
) -> SessionReminder:
    """Return what a reminder says: the session in full, for the member it goes to."""
    # A reminder states the session in full, the online link included (it goes to one person):
    # the row's columns of the same names, as they are.
    return view_from(
        SessionReminder,
        gs,
        reminder_id=row.id,
        session_id=gs.id,
        member_id=member.id,
        user_id=member.user_id,
        preferred_name=member.preferred_name,
        kind=row.kind,
        local_text=local_range(settings, gs),
        due_at=row.due_at,
        late_minutes=late_minutes,
    )
