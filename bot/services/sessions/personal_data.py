"""Sessions in /mydata and /forgetme: replies, reminders, attendance and feedback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    GroupSession,
    OutboxItem,
    SessionAttendance,
    SessionFeedback,
    SessionReminder,
    SessionRsvp,
)
from bot.services.base import forget_owed
from bot.services.personal_data import DiscordTraces, iso, posts_about
from bot.services.sessions.owed import DMS

if TYPE_CHECKING:
    from bot.services.sessions.service import SessionsService


class SessionsPersonalData:
    """Replies, reminders, attendance and feedback in /mydata and /forgetme."""

    section = "sessions"

    def __init__(self, service: SessionsService) -> None:
        self.service = service

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return the person's replies, reminders, attendance and feedback."""
        titles = {
            gs.id: (gs.title, gs.starts_at)
            for gs in await session.scalars(
                select(GroupSession).where(GroupSession.guild_id == guild_id)
            )
        }

        def about(session_id: int) -> dict[str, Any]:
            title, starts = titles.get(session_id, ("", None))
            return {"session": title, "starts_at": iso(starts)}

        rsvps = await session.scalars(select(SessionRsvp).where(SessionRsvp.member_id == member_id))
        reminders = await session.scalars(
            select(SessionReminder).where(SessionReminder.member_id == member_id)
        )
        attendance = await session.scalars(
            select(SessionAttendance).where(SessionAttendance.member_id == member_id)
        )
        feedback = await session.scalars(
            select(SessionFeedback).where(SessionFeedback.member_id == member_id)
        )
        return {
            "replies": [
                {
                    **about(r.session_id),
                    "reply": r.reply,
                    "waitlisted": r.waitlisted,
                    "replied_at": iso(r.replied_at),
                }
                for r in rsvps
            ],
            "reminders": [
                {
                    **about(r.session_id),
                    "kind": r.kind,
                    "due_at": iso(r.due_at),
                    "sent_at": iso(r.sent_at),
                    "skipped_at": iso(r.skipped_at),
                    "skip_reason": r.skip_reason,
                }
                for r in reminders
            ],
            "attendance": [
                {
                    **about(a.session_id),
                    "co_facilitated": a.cofacilitated,
                    "marked_at": iso(a.marked_at),
                }
                for a in attendance
            ],
            "feedback": [
                {
                    **about(f.session_id),
                    "rating": f.rating,
                    "felt_listened_to": f.listened,
                    "comment": f.comment,
                    "given_at": iso(f.given_at),
                }
                for f in feedback
            ],
        }

    async def discord_traces(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> DiscordTraces:
        """Return the sessions posts in this server's channels that are about the person.

        DMs to the person stay theirs, as in every feature; today no sessions post in a server
        channel names anyone, so this finds them should one ever be added with a subject.
        """
        kinds = and_(OutboxItem.kind.like("sessions.%"), OutboxItem.kind.not_in(DMS))
        return await posts_about(session, guild_id, member_id, kinds)

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Delete the person's replies, reminders, attendance and feedback; unlink staff ids.

        Every statement names this server (member ids belong to one server): the same person
        may use the bot in another server, and erasing here must leave that one alone.
        """
        # A place given up by erasure is offered to the next person waiting by the scheduler's
        # sweep (release_departed), which also tells them.
        here = select(GroupSession.id).where(GroupSession.guild_id == guild_id)
        for model in (SessionRsvp, SessionReminder, SessionAttendance, SessionFeedback):
            await session.execute(
                delete(model).where(model.member_id == member_id, model.session_id.in_(here))
            )
        for column in (
            GroupSession.created_by,
            GroupSession.cancelled_by,
            GroupSession.attendance_marked_by,
            GroupSession.minutes_posted_by,
        ):
            await session.execute(
                update(GroupSession)
                .where(GroupSession.guild_id == guild_id, column == user_id)
                .values({column.key: None})
                .execution_options(synchronize_session=False)
            )
        # Only this server's sessions: the same worker may mark attendance in another server.
        await session.execute(
            update(SessionAttendance)
            .where(
                SessionAttendance.marked_by == user_id,
                SessionAttendance.session_id.in_(here),
            )
            .values(marked_by=None)
            .execution_options(synchronize_session=False)
        )
        if member_id:
            await forget_owed(session, "sessions", guild_id, member_id, self.service.clock.now())
