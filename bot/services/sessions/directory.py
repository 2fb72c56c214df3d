"""Finding sessions to show, and remembering where Discord shows them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.models import GroupSession
from bot.services.access import Actor, require_worker
from bot.services.base import Service
from bot.services.sessions.views import SessionView, get_session, session_view, session_views


class DirectoryService(Service):
    """Look sessions up for the cog and for workers; record their announcement and event."""

    async def view(self, guild_id: int, session_id: int) -> SessionView:
        """Return a session's public view (for rendering announcements and buttons)."""
        async with self.db.begin() as s:
            return await session_view(
                s, self.settings_for(guild_id), await get_session(s, guild_id, session_id)
            )

    async def view_for_worker(self, actor: Actor, session_id: int) -> SessionView:
        """Return one session to a worker, refusing anyone else before a form is shown."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
        return await self.view(actor.guild_id, session_id)

    async def for_worker(self, actor: Actor, past_days: int = 30) -> list[SessionView]:
        """List recent and upcoming sessions for workers to pick from, soonest first."""
        since = self.clock.now() - timedelta(days=past_days)
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(GroupSession)
                .where(GroupSession.guild_id == actor.guild_id, GroupSession.ends_at >= since)
                .order_by(GroupSession.starts_at, GroupSession.id)
                .limit(100)
            )
            return await session_views(s, self.settings_for(actor.guild_id), list(rows))

    async def needs_attention(
        self, guild_id: int, now: datetime | None = None
    ) -> list[SessionView]:
        """List ended sessions whose attendance has not been marked yet (for workers)."""
        moment = now or self.clock.now()
        async with self.db.begin() as s:
            rows = await s.scalars(
                select(GroupSession)
                .where(
                    GroupSession.guild_id == guild_id,
                    GroupSession.status == "scheduled",
                    GroupSession.ends_at <= moment,
                    GroupSession.attendance_marked_at.is_(None),
                )
                .order_by(GroupSession.starts_at)
                .limit(25)
            )
            return await session_views(s, self.settings_for(guild_id), list(rows))

    async def set_discord_event(self, session_id: int, event_id: int | None) -> None:
        """Remember the Discord scheduled event that mirrors a session."""
        await self.remember(GroupSession, session_id, discord_event_id=event_id)

    async def set_announcement(self, session_id: int, channel_id: int, message_id: int) -> None:
        """Remember where a session's announcement (with its reply buttons) was posted."""
        await self.remember(
            GroupSession, session_id, announce_channel_id=channel_id, announce_message_id=message_id
        )
