"""What the sessions senders read while delivering, and what they record when refused.

The rules for who is told stay here, not in the cog: a reminder goes only to a confirmed
attendee who opted in, before the session starts; a notice only to someone still in the group.
Each is checked again when the DM goes out, since a retry may come after people change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, GuildConfig, Member, SessionReminder, SessionRsvp
from bot.services.base import ERASED, Service
from bot.services.errors import NotFound
from bot.services.sessions.events import SessionReminder as ReminderEvent
from bot.services.sessions.events import reminder_event
from bot.services.sessions.owed import CURRENT, FEEDBACK_DM, PROMOTED, REMINDER
from bot.services.sessions.views import (
    SessionView,
    get_session,
    has_place,
    session_view,
)

GONE = "the session no longer exists"


@dataclass(frozen=True)
class OwedDM:
    """A DM as it stands when it is sent: the session, to whom, or why it is no longer owed."""

    session: SessionView | None
    user_id: int | None = None
    preferred_name: str = ""
    online_link: str | None = None
    cancel_reason: str | None = None
    reminder: ReminderEvent | None = None
    skip: str | None = None


@dataclass(frozen=True)
class OwedPost:
    """A session and the channels a post about it may go to."""

    session: SessionView
    worker_log_channel_id: int | None
    announcements_channel_id: int | None


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


class OwedSessions(Service):
    """Read what a sessions delivery needs now; record reminders that could not go out."""

    async def post(self, guild_id: int, session_id: int) -> OwedPost | None:
        """Return a session with its channels, or None when it no longer exists."""
        async with self.db.begin() as s:
            try:
                gs = await get_session(s, guild_id, session_id)
            except NotFound:
                return None
            config = await s.get(GuildConfig, guild_id)
            return OwedPost(
                await session_view(s, self.settings_for(gs.guild_id), gs),
                config.worker_log_channel_id if config else None,
                config.announcements_channel_id if config else None,
            )

    async def dm(
        self, kind: str, guild_id: int, payload: dict[str, object], member_id: int | None
    ) -> OwedDM:
        """Return the DM to send now, or why it is no longer owed."""
        now = self.clock.now()
        async with self.db.begin() as s:
            try:
                gs = await get_session(s, guild_id, int(str(payload["session_id"])))
            except NotFound:
                return OwedDM(None, skip=GONE)
            view = await session_view(s, self.settings_for(gs.guild_id), gs)
            member = await s.get(Member, member_id) if member_id is not None else None
            if member is None or member.guild_id != guild_id:
                return OwedDM(view, skip=ERASED)
            rsvp = await s.scalar(
                select(SessionRsvp).where(
                    SessionRsvp.session_id == gs.id, SessionRsvp.member_id == member.id
                )
            )
            if kind == REMINDER:
                return await self._reminder(s, gs, view, member, rsvp, payload, now)
            skip = None
            if member.status not in CURRENT:
                skip = "they left the group before it went out"
            elif kind == PROMOTED and not has_place(rsvp):
                skip = "they gave up the place before it went out"
            elif kind == FEEDBACK_DM and not member.dm_opt_in:
                skip = "they turned DMs off before it went out"
            link = gs.online_link if kind == PROMOTED else None
            return OwedDM(
                view,
                None if skip else member.user_id,
                member.preferred_name,
                link,
                gs.cancel_reason,
                skip=skip,
            )

    async def _reminder(
        self,
        s: AsyncSession,
        gs: GroupSession,
        view: SessionView,
        member: Member,
        rsvp: SessionRsvp | None,
        payload: dict[str, object],
        now: datetime,
    ) -> OwedDM:
        row = await s.get(SessionReminder, int(str(payload["reminder_id"])))
        due = _when(payload.get("due_at"))
        if row is None or row.member_id != member.id:
            return OwedDM(view, skip="the reminder was withdrawn")
        if row.due_at != due:
            return OwedDM(view, skip="the session moved, so a new reminder is due instead")
        skip = None
        if gs.status != "scheduled":
            skip = "session cancelled"
        elif now >= gs.starts_at:
            skip = "too late: session started"
        elif not has_place(rsvp):
            skip = "no longer going"
        elif member.status != "approved" or not member.dm_opt_in:
            skip = "reminders turned off"
        if skip is not None:
            await self._not_sent(s, row.id, row.due_at, skip, now)
            return OwedDM(view, skip=skip)
        late = int(str(payload.get("late_minutes", 0)))
        event = reminder_event(self.settings_for(gs.guild_id), row, gs, member, late)
        return OwedDM(view, member.user_id, member.preferred_name, reminder=event)

    async def _not_sent(
        self, s: AsyncSession, reminder_id: int, due_at: datetime, reason: str, now: datetime
    ) -> None:
        # Only this arming of the reminder: a session moved since has re-armed the row.
        await s.execute(
            update(SessionReminder)
            .where(and_(SessionReminder.id == reminder_id, SessionReminder.due_at == due_at))
            .values(sent_at=None, skipped_at=now, skip_reason=reason[:64])
            .execution_options(synchronize_session=False)
        )

    async def reminder_refused(self, payload: dict[str, object], reason: str) -> None:
        """Record on the reminder that Discord refused it for good (DMs closed), and why."""
        due = _when(payload.get("due_at"))
        if due is None:
            return
        async with self.db.begin() as s:
            await self._not_sent(s, int(str(payload["reminder_id"])), due, reason, self.clock.now())
