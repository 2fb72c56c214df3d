"""What a session looks like to the people who see it, and the lookups that build it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, Member, SessionRsvp
from bot.services.audience import Audience
from bot.services.errors import NotFound
from bot.services.sessions.owed import CURRENT
from bot.services.timeparse import format_local_range
from bot.settings import Settings

# Copied from the row as they are; the online link deliberately is not.
COPIED = (
    "id guild_id series_id title agenda starts_at ends_at duration_minutes place locality "
    "capacity audience_value papers_url status sequence discord_event_id announce_channel_id "
    "announce_message_id minutes created_by"
).split()
BUCKETS = ("going", "maybe", "cant", "waitlisted")


@dataclass(frozen=True)
class SessionView:
    """A session as anyone may see it: deliberately without the online link."""

    id: int
    guild_id: int
    series_id: int | None
    title: str
    agenda: str | None
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    local_text: str
    online: bool
    place: str | None
    locality: str | None
    capacity: int | None
    audience: str
    audience_value: str | None
    audience_text: str
    papers_url: str | None
    status: str
    sequence: int
    going: int
    maybe: int
    cant: int
    waitlisted: int
    discord_event_id: int | None
    announce_channel_id: int | None
    announce_message_id: int | None
    minutes: str | None
    created_by: int | None

    @property
    def spaces_left(self) -> int | None:
        """Return how many places are free, or None when there is no limit."""
        return None if self.capacity is None else max(self.capacity - self.going, 0)


@dataclass(frozen=True)
class Recipient:
    """Someone to tell about a session (a reply, a place, a cancellation, a feedback form)."""

    session_id: int
    member_id: int
    user_id: int
    preferred_name: str
    reply: str | None
    dm_opt_in: bool


def local_range(settings: Settings, gs: GroupSession) -> str:
    """Show when a session runs, in UK time."""
    return format_local_range(gs.starts_at, gs.ends_at, settings.tz)


def build_view(settings: Settings, gs: GroupSession, counts: dict[str, int]) -> SessionView:
    """Return a session's public view, given its reply counts."""
    audience = Audience.of(gs)
    copied: dict[str, Any] = {name: getattr(gs, name) for name in COPIED}
    return SessionView(
        **copied,
        local_text=local_range(settings, gs),
        online=gs.online_link is not None,
        audience=audience.kind,
        audience_text=audience.describe(settings),
        going=counts.get("going", 0),
        maybe=counts.get("maybe", 0),
        cant=counts.get("cant", 0),
        waitlisted=counts.get("waitlisted", 0),
    )


async def get_session(
    s: AsyncSession, guild_id: int, session_id: int, *, lock: bool = False
) -> GroupSession:
    """Return a session of this server, or say it no longer exists."""
    stmt = select(GroupSession).where(GroupSession.id == session_id)
    if lock:
        # Serialises replies to one session on PostgreSQL (SQLite already serialises
        # writers with BEGIN IMMEDIATE), so capacity is never overshot.
        stmt = stmt.with_for_update()
    found = await s.scalar(stmt)
    if found is None or found.guild_id != guild_id:
        raise NotFound("That session no longer exists.")
    return found


async def reply_counts(s: AsyncSession, ids: list[int]) -> dict[int, dict[str, int]]:
    """Count each session's replies: going, maybe, can't and waiting."""
    counts: dict[int, dict[str, int]] = {i: dict.fromkeys(BUCKETS, 0) for i in ids}
    if not ids:
        return counts
    bucket = case((SessionRsvp.waitlisted.is_(True), "waitlisted"), else_=SessionRsvp.reply)
    rows = await s.execute(
        select(SessionRsvp.session_id, bucket, func.count())
        .where(SessionRsvp.session_id.in_(ids))
        .group_by(SessionRsvp.session_id, bucket)
    )
    for session_id, name, number in rows:
        counts[session_id][name] = number
    return counts


async def session_views(
    s: AsyncSession, settings: Settings, rows: list[GroupSession]
) -> list[SessionView]:
    """Return the public views of these sessions, with their counts."""
    counts = await reply_counts(s, [r.id for r in rows])
    return [build_view(settings, r, counts[r.id]) for r in rows]


async def session_view(s: AsyncSession, settings: Settings, gs: GroupSession) -> SessionView:
    """Return one session's public view."""
    return (await session_views(s, settings, [gs]))[0]


def replies_with_members() -> Select[tuple[SessionRsvp, Member]]:
    """Select replies together with the members who gave them."""
    return select(SessionRsvp, Member).join(Member, Member.id == SessionRsvp.member_id)


async def repliers(
    s: AsyncSession, session_ids: list[int], *, include_cant: bool = True
) -> list[Recipient]:
    """Return everyone still in the group who replied (optionally not those who can't go)."""
    if not session_ids:
        return []
    stmt = (
        replies_with_members()
        # People who have left are not told about sessions any more (erased people have no
        # replies left at all).
        .where(SessionRsvp.session_id.in_(session_ids), Member.status.in_(CURRENT))
        .order_by(SessionRsvp.session_id, SessionRsvp.id)
    )
    if not include_cant:
        stmt = stmt.where(SessionRsvp.reply != "cant")
    return [
        Recipient(rsvp.session_id, m.id, m.user_id, m.preferred_name, rsvp.reply, m.dm_opt_in)
        for rsvp, m in (await s.execute(stmt)).all()
    ]


async def _count(s: AsyncSession, session_id: int, *where: Any) -> int:
    count = await s.scalar(select(func.count()).where(SessionRsvp.session_id == session_id, *where))
    return int(count or 0)


async def confirmed_count(s: AsyncSession, session_id: int) -> int:
    """Count members with a confirmed place."""
    going = SessionRsvp.reply == "going"
    return await _count(s, session_id, going, SessionRsvp.waitlisted.is_(False))


async def waiting_count(s: AsyncSession, session_id: int) -> int:
    """Count members on the waiting list."""
    return await _count(s, session_id, SessionRsvp.waitlisted.is_(True))


def has_place(rsvp: SessionRsvp | None) -> bool:
    """Tell whether a reply holds a confirmed place (going, not waiting)."""
    return rsvp is not None and rsvp.reply == "going" and not rsvp.waitlisted
