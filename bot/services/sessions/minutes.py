"""Minutes of a session, posted by a worker once it has started."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.access import Actor, guild_config, require_worker
from bot.services.base import Service
from bot.services.errors import Conflict
from bot.services.sessions.forms import MINUTES_MAX
from bot.services.sessions.owed import MINUTES, owe_post, owe_redraw
from bot.services.sessions.views import SessionView, get_session, session_view
from bot.services.text import clean_text


@dataclass(frozen=True)
class MinutesOutcome:
    """Minutes as stored, and where to announce them."""

    session: SessionView
    minutes: str
    first_time: bool
    announcements_channel_id: int | None
    sessions_channel_id: int | None


class MinutesService(Service):
    """Workers post (and correct) the minutes of a session."""

    async def post_minutes(self, actor: Actor, session_id: int, minutes: str) -> MinutesOutcome:
        """Store the minutes of a session (replacing earlier ones); say where to announce them."""
        text = clean_text(minutes, field="the minutes", max_length=MINUTES_MAX, multiline=True)
        assert text is not None
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            config = await guild_config(s, actor.guild_id)
            gs = await get_session(s, actor.guild_id, session_id, lock=True)
            if gs.status != "scheduled":
                raise Conflict("This session was cancelled, so it has no minutes.")
            if gs.starts_at > now:
                raise Conflict("Minutes can be posted once the session has started.")
            first = gs.minutes_posted_at is None
            gs.minutes, gs.minutes_posted_at, gs.minutes_posted_by = text, now, actor.user_id
            self.audit(s, actor, "session.minutes", detail=f"session {gs.id}")
            await owe_post(self, s, gs, MINUTES, channel_id=config.announcements_channel_id)
            await owe_redraw(self, s, gs)
            outcome = MinutesOutcome(
                session=await session_view(s, self.settings_for(gs.guild_id), gs),
                minutes=text,
                first_time=first,
                announcements_channel_id=config.announcements_channel_id,
                sessions_channel_id=config.sessions_channel_id,
            )
        self.wake()
        return outcome
