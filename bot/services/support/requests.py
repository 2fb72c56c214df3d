"""/support requests and the moderators' queue.

Nothing anyone writes is stored: a member's optional message is handed back to the cog to
post in the private space.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.models import GuildConfig, Member, SupportRequest
from bot.services.access import Actor, require_moderator
from bot.services.base import Service, Wake
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.support.owed import RERAISE, owe_card, owe_space
from bot.services.support.records import (
    MEMBER_URGENCIES,
    MESSAGE_MAX,
    OPEN_STATUSES,
    PING_URGENCIES,
    TOPICS,
    URGENCIES,
    Opened,
    QueuePage,
    RequestView,
    view_of,
)
from bot.services.support.rows import Db, load_request, member_id_of, waiting_from
from bot.services.support.safeguarding import Match
from bot.services.support.wording import (
    acknowledgement,
    already_open_text,
    crisis_resources_text,
    next_steps,
    out_of_hours_notice,
    refusal_with_resources,
)
from bot.services.text import clean_text
from bot.settings import Settings

# The crisis-word check of a server: (text, guild id) -> the rule it matches, or None.
Matcher = Callable[[str, int | None], Match | None]

NOT_IN_SERVER = (
    "It looks like you're not in the group's Discord server at the moment, so I can't open a "
    "private space with the moderators. You're welcome to rejoin the server and try again."
)
TOO_SOON = (
    "You asked for support just a moment ago, so I haven't opened another request yet. The "
    "moderators have what you sent. If you need help right now, please use the contacts below."
)
NOT_SET_UP = (
    "Support requests aren't switched on in this server yet, so I can't pass this on. Please "
    "tell a server admin or a worker."
)


class SupportRequests(Service):
    """Open a request, remember where Discord put it, and list the queue."""

    def __init__(
        self, settings: Settings, db: Db, clock: Clock, wake: Wake | None, matcher: Matcher
    ) -> None:
        super().__init__(settings, db, clock, wake)
        self.matcher = matcher

    def _message(self, message: str | None) -> str | None:
        text = (message or "").strip()
        if len(text) > MESSAGE_MAX:
            raise InvalidInput(
                f"Your message is {len(text):,} characters long, and the most I can pass on is "
                f"{MESSAGE_MAX:,}. Nothing has been sent yet. You could shorten it, or leave it "
                "out and tell the moderators in your private space once it opens."
            )
        return clean_text(
            text, field="your message", max_length=MESSAGE_MAX, required=False, multiline=True
        )

    async def open_request(
        self,
        actor: Actor,
        *,
        topic: str,
        urgency: str,
        message: str | None = None,
        in_server: bool = True,
        space_elsewhere: bool = False,
    ) -> Opened:
        """Open a support request for someone in the server; never store their message.

        With `space_elsewhere` (asked by DM in a process that does not hold the server) the
        private space is owed with the request, for the server's own process to open.
        """
        if topic not in TOPICS:
            raise InvalidInput(f"Please choose what it's about: {', '.join(TOPICS.values())}.")
        if urgency not in MEMBER_URGENCIES:
            options = ", ".join(MEMBER_URGENCIES.values())
            raise InvalidInput(f"Please choose how soon you need help: {options}.")
        text = self._message(message)
        if not in_server:
            raise NotAllowed(
                refusal_with_resources(self.settings_for(actor.guild_id), NOT_IN_SERVER)
            )
        # Crisis words in the request itself make it urgent; the words are still not kept.
        # Saying "I'm not safe right now" does the same, with no words needed.
        why = "said" if urgency == "urgent" else None
        if bool(text) and self.matcher(text or "", actor.guild_id) is not None:
            why = why or "words"
        crisis = why is not None
        if crisis:
            urgency = "urgent"
        now = self.clock.now()
        async with self.db.begin() as s:
            # Locking the server's row makes two /support at once by one person take turns
            # on PostgreSQL (SQLite's BEGIN IMMEDIATE already does): one request, not two.
            config = await s.scalar(
                select(GuildConfig).where(GuildConfig.guild_id == actor.guild_id).with_for_update()
            )
            if config is None or config.setup_at is None:
                raise NotAllowed(
                    refusal_with_resources(self.settings_for(actor.guild_id), NOT_SET_UP)
                )
            mine = (
                SupportRequest.guild_id == actor.guild_id,
                SupportRequest.user_id == actor.user_id,
                SupportRequest.kind == "request",
            )
            current = await s.scalar(
                select(SupportRequest)
                .where(*mine, SupportRequest.status.in_(OPEN_STATUSES))
                .order_by(SupportRequest.id)
                .limit(1)
            )
            if current is not None:
                pointed = await self._already_open(s, config, current, text, why=why)
            else:
                view = await self._new(
                    s, actor, topic, urgency, crisis=crisis, space_elsewhere=space_elsewhere
                )
        self.wake()
        if current is not None:
            return pointed
        settings = self.settings_for(actor.guild_id)
        notice = out_of_hours_notice(settings, now)
        ping = urgency in PING_URGENCIES
        today = urgency == "today"
        return self._opened(
            config,
            view,
            text,
            notice,
            acknowledgement(settings, urgent=why, out_of_hours=notice is not None),
            ping=ping,
            next_steps=next_steps(settings, urgent=why, today=today, out_of_hours=notice),
            no_space_steps=next_steps(
                settings, urgent=why, today=today, out_of_hours=notice, has_space=False
            ),
        )

    def _opened(
        self,
        config: GuildConfig,
        view: RequestView,
        text: str | None,
        notice: str | None,
        said: str,
        *,
        ping: bool,
        **more: Any,
    ) -> Opened:
        """Tell the cog what to say about a request (`said` first) and where to post it.

        `more` are the rest of Opened's fields: what comes next, or that it was open already.
        """
        return Opened(
            request=view,
            acknowledgement=said,
            crisis_resources=crisis_resources_text(self.settings_for(config.guild_id)),
            out_of_hours=notice is not None,
            out_of_hours_notice=notice,
            expected_response=self.settings_for(config.guild_id).support.expected_response,
            ping_moderators=ping,
            moderator_role_id=config.moderator_role_id,
            queue_channel_id=config.support_queue_channel_id,
            message_to_forward=text,
            **more,
        )

    async def _new(
        self,
        s: AsyncSession,
        actor: Actor,
        topic: str,
        urgency: str,
        *,
        crisis: bool,
        space_elsewhere: bool,
    ) -> RequestView:
        """Add the request and owe its card, unless the person asked a moment ago."""
        now = self.clock.now()
        mine = (
            SupportRequest.guild_id == actor.guild_id,
            SupportRequest.user_id == actor.user_id,
            SupportRequest.kind == "request",
        )
        latest = await s.scalar(select(func.max(SupportRequest.created_at)).where(*mine))
        # Crisis words always get through: a flood guard must never turn someone away.
        if not crisis and latest is not None and now - latest < self._cooldown(actor.guild_id):
            raise NotAllowed(refusal_with_resources(self.settings_for(actor.guild_id), TOO_SOON))
        row = SupportRequest(
            guild_id=actor.guild_id,
            kind="request",
            user_id=actor.user_id,
            member_id=await member_id_of(s, actor.guild_id, actor.user_id),
            topic=topic,
            urgency=urgency,
            **waiting_from(self.settings_for(actor.guild_id), now),
        )
        s.add(row)
        await s.flush()
        await owe_card(s, row, now, ping=urgency in PING_URGENCIES)
        if space_elsewhere:
            await owe_space(s, row, now)
        return view_of(row)

    def _cooldown(self, guild_id: int) -> timedelta:
        return timedelta(minutes=self.settings_for(guild_id).support.request_cooldown_minutes)

    async def _already_open(
        self,
        s: AsyncSession,
        config: GuildConfig,
        row: SupportRequest,
        text: str | None,
        *,
        why: str | None,
    ) -> Opened:
        """Point the person back to their open request; crisis words or "not safe" raise it."""
        crisis = why is not None
        raised = crisis and row.urgency != "urgent"
        if raised:
            row.urgency = "urgent"
            await self.owe(
                s,
                guild_id=row.guild_id,
                kind=RERAISE,
                payload={"request_id": row.id, "urgent": True, "said": why == "said"},
                dedup_key=f"{RERAISE}:{row.id}:urgent",
            )
        await s.flush()
        view = view_of(row)
        now = self.clock.now()
        notice = out_of_hours_notice(self.settings_for(row.guild_id), now)
        said = already_open_text(
            self.settings_for(row.guild_id), view, why=why, out_of_hours=notice
        )
        return self._opened(config, view, text, notice, said, ping=raised, existing=True)

    async def groups_of(self, user_id: int) -> list[int]:
        """Return the set-up servers where this person has signed up (and not left), by id.

        The database, not a gateway cache, answers: a DM reaches one process, which holds
        only the servers on its own shards.
        """
        async with self.db.begin() as s:
            found = await s.scalars(
                select(Member.guild_id)
                .join(GuildConfig, GuildConfig.guild_id == Member.guild_id)
                .where(
                    Member.user_id == user_id,
                    Member.status.not_in(("left", "declined")),
                    GuildConfig.setup_at.is_not(None),
                )
                .order_by(Member.guild_id)
            )
            return list(found)

    async def set_private_space(self, request_id: int, channel_id: int) -> None:
        """Remember the private thread or channel the cog opened for a request."""
        await self.remember(SupportRequest, request_id, private_channel_id=channel_id)

    async def set_card(self, request_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the queue card for a request was posted."""
        await self.remember(
            SupportRequest, request_id, card_channel_id=channel_id, card_message_id=message_id
        )

    async def get(self, actor: Actor, request_id: int) -> RequestView:
        """Return one request to a moderator."""
        async with self.db.begin() as s:
            await require_moderator(s, actor)
            return view_of(await load_request(s, actor.guild_id, request_id))

    async def get_for_card(self, request_id: int) -> RequestView | None:
        """Return a request for redrawing its card (no permission check: nothing is shown)."""
        async with self.db.begin() as s:
            row = await s.get(SupportRequest, request_id)
            return view_of(row) if row else None

    async def queue(self, actor: Actor, limit: int = 25) -> QueuePage:
        """List unresolved requests, most urgent first, then the longest waiting."""
        order = case({u: i for i, u in enumerate(URGENCIES)}, value=SupportRequest.urgency)
        async with self.db.begin() as s:
            await require_moderator(s, actor)
            where = (
                SupportRequest.guild_id == actor.guild_id,
                SupportRequest.status.in_(OPEN_STATUSES),
            )
            total = await s.scalar(select(func.count(SupportRequest.id)).where(*where)) or 0
            rows = await s.scalars(
                select(SupportRequest)
                .where(*where)
                .order_by(order, SupportRequest.created_at, SupportRequest.id)
                .limit(max(1, min(limit, 100)))
            )
            return QueuePage([view_of(r) for r in rows], total)

    async def open_for_user(self, guild_id: int, user_id: int) -> list[RequestView]:
        """Return a person's own unresolved requests (to point them at their private space)."""
        async with self.db.begin() as s:
            rows = await s.scalars(
                select(SupportRequest)
                .where(
                    SupportRequest.guild_id == guild_id,
                    SupportRequest.user_id == user_id,
                    SupportRequest.kind == "request",
                    SupportRequest.status.in_(OPEN_STATUSES),
                )
                .order_by(SupportRequest.created_at)
            )
            return [view_of(r) for r in rows]
