"""Replies to sessions: going / maybe / can't, capacity, the waitlist and what members see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.group_commit import GroupCommit
from bot.db.models import GroupSession, Member, SessionAttendance, SessionRsvp
from bot.services.access import Actor, guild_config, is_worker, require_member, require_worker
from bot.services.audience import Audience
from bot.services.base import Service
from bot.services.errors import InvalidInput
from bot.services.membership.service import ADJUSTMENTS
from bot.services.sessions.calendar import calendar_for
from bot.services.sessions.forms import REPLIES
from bot.services.sessions.replying import (
    CalendarFile,
    Request,
    RsvpOutcome,
    decide_replies,
)
from bot.services.sessions.views import (
    SessionView,
    get_session,
    has_place,
    replies_with_members,
    session_view,
    session_views,
)

__all__ = ["AttendeeView", "CalendarFile", "MemberSession", "RepliesService", "RsvpOutcome"]

UPCOMING_LIMIT = 25


@dataclass(frozen=True)
class MemberSession:
    """An upcoming session with the member's own reply (for /sessions)."""

    session: SessionView
    reply: str | None
    waitlisted: bool
    online_link: str | None


@dataclass(frozen=True)
class AttendeeView:
    """Someone who replied, with the adjustments the worker running it should know about."""

    member_id: int
    user_id: int
    preferred_name: str
    pronouns: str | None
    reply: str
    waitlisted: bool
    adjustments: tuple[str, ...]
    adjustments_note: str | None
    # What a worker already saved: None until attendance is first marked for the session.
    attended: bool | None = None
    cofacilitated: bool = False


async def _reply_of(s: AsyncSession, session_id: int, member_id: int) -> SessionRsvp | None:
    found: SessionRsvp | None = await s.scalar(
        select(SessionRsvp).where(
            SessionRsvp.session_id == session_id, SessionRsvp.member_id == member_id
        )
    )
    return found


class RepliesService(Service):
    """Members reply to sessions and see what is coming up; workers see who is coming."""

    def __init__(self, *parts: Any, **named: Any) -> None:
        super().__init__(*parts, **named)
        # One lane per session: a round locks its session once, and one person's replies
        # are written in the order they pressed.
        self._replies: GroupCommit[Request, RsvpOutcome] = GroupCommit(
            lambda requests: decide_replies(self, requests),
            None,
            lambda request: request[0].user_id,
            lane=lambda request: (request[0].guild_id, request[1]),
        )

    async def session_server(self, session_id: int) -> int | None:
        """Return the server a session belongs to (for its buttons in a DM)."""
        return await self.server_of(GroupSession, session_id)

    async def rsvp(self, actor: Actor, session_id: int, reply: str) -> RsvpOutcome:
        """Record a member's reply (one per member per session); fill or free places.

        Replies to the same session that arrive together share one transaction (see
        replying.py); this returns once the one holding this reply has committed.
        """
        if reply not in REPLIES:
            raise InvalidInput("Please choose going, maybe or can't go.")
        return await self._replies.submit((actor, session_id, reply))

    async def upcoming(self, actor: Actor) -> list[MemberSession]:
        """List sessions coming up for the member, with their replies, soonest first."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            rows = await s.scalars(
                select(GroupSession)
                .where(
                    GroupSession.guild_id == actor.guild_id,
                    GroupSession.status == "scheduled",
                    GroupSession.ends_at > now,
                )
                .order_by(GroupSession.starts_at, GroupSession.id)
            )
            mine = [r for r in rows if Audience.of(r).includes(member)][:UPCOMING_LIMIT]
            replies = {
                r.session_id: r
                for r in await s.scalars(
                    select(SessionRsvp).where(
                        SessionRsvp.member_id == member.id,
                        SessionRsvp.session_id.in_([r.id for r in mine]),
                    )
                )
            }
            views = await session_views(s, self.settings_for(actor.guild_id), mine)
            return [
                MemberSession(
                    session=view,
                    reply=reply.reply if reply else None,
                    waitlisted=bool(reply and reply.waitlisted),
                    online_link=gs.online_link if has_place(reply) else None,
                )
                for gs, view in zip(mine, views, strict=True)
                for reply in [replies.get(gs.id)]
            ]

    async def attendees(self, actor: Actor, session_id: int) -> list[AttendeeView]:
        """List who replied, with their reasonable adjustments, for the workers."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await get_session(s, actor.guild_id, session_id)
            rows = await s.execute(
                replies_with_members()
                .where(SessionRsvp.session_id == gs.id)
                .order_by(SessionRsvp.waitlisted, SessionRsvp.reply, Member.preferred_name)
            )
            marked = {
                member_id: helped
                for member_id, helped in await s.execute(
                    select(SessionAttendance.member_id, SessionAttendance.cofacilitated).where(
                        SessionAttendance.session_id == gs.id
                    )
                )
            }
            already = gs.attendance_marked_at is not None or bool(marked)
            return [
                AttendeeView(
                    member_id=m.id,
                    user_id=m.user_id,
                    preferred_name=m.preferred_name,
                    pronouns=m.pronouns,
                    reply=r.reply,
                    waitlisted=r.waitlisted,
                    adjustments=tuple(ADJUSTMENTS.get(a, a) for a in m.adjustments or []),
                    adjustments_note=m.adjustments_note,
                    attended=(m.id in marked) if already else None,
                    cofacilitated=marked.get(m.id, False),
                )
                for r, m in rows.all()
            ]

    async def _link_for(self, s: AsyncSession, actor: Actor, gs: GroupSession) -> str | None:
        """Return the joining link to a worker or a confirmed attendee, else None."""
        if is_worker(await guild_config(s, actor.guild_id), actor):
            return gs.online_link
        member = await require_member(s, actor)
        return gs.online_link if has_place(await _reply_of(s, gs.id, member.id)) else None

    async def online_link(self, actor: Actor, session_id: int) -> str | None:
        """Return the joining link to a worker or a confirmed attendee, else None."""
        async with self.db.begin() as s:
            return await self._link_for(s, actor, await get_session(s, actor.guild_id, session_id))

    async def calendar_file(self, actor: Actor, session_id: int) -> CalendarFile:
        """Return the session as an .ics file (with the link only for confirmed attendees)."""
        async with self.db.begin() as s:
            gs = await get_session(s, actor.guild_id, session_id)
            view = await session_view(s, self.settings_for(gs.guild_id), gs)
            content = calendar_for(view, self.clock.now(), await self._link_for(s, actor, gs))
            return CalendarFile(filename=f"session-{gs.id}.ics", content=content)
