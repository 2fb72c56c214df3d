"""Support requests: /support, safeguarding flags and reported messages, and the queue.

Nothing anyone writes is stored. A member's optional message is handed back to the cog to
post in the private space; flagged and reported messages are kept only as links.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import GuildConfig, Member, SupportRequest
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config, is_moderator, require_moderator
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.support.personal_data import SupportDataMixin
from bot.services.support.records import (
    LINK_MAX,
    MEMBER_URGENCIES,
    MESSAGE_MAX,
    OPEN_STATUSES,
    PING_URGENCIES,
    TOPICS,
    URGENCIES,
    Flagged,
    Opened,
    QueuePage,
    Reported,
    RequestView,
    SupportRaised,
    view_of,
)
from bot.services.support.reraise import SupportReraiseMixin
from bot.services.support.safeguarding import Match, SafeguardingMatcher
from bot.services.support.staff import SupportStaffMixin
from bot.services.support.wording import (
    REPORT_AGAIN,
    REPORT_THANKS,
    acknowledgement,
    author_message,
    crisis_resources_text,
    out_of_hours_notice,
    refusal_with_resources,
)
from bot.services.text import clean_text
from bot.settings import Settings

# A second flag for the same person within this time gets a shorter note, not the full one.
REPEAT_NOTE_WINDOW = timedelta(hours=1)
NOT_IN_SERVER = (
    "It looks like you're not in the group's Discord server at the moment, so I can't open a "
    "private space with the moderators. You're welcome to rejoin the server and try again."
)


class SupportService(SupportStaffMixin, SupportReraiseMixin, SupportDataMixin):
    """Open, flag, report and list support requests; staff actions live in the mixins."""

    name = "support"
    emits: tuple[type, ...] = (SupportRaised,)

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        # Compiled once: on_message calls check() for every peer-support message.
        self.matcher = SafeguardingMatcher(settings.safeguarding)

    def check(self, text: str) -> Match | None:
        """Return the crisis rule a message matches, or None (the text is not kept)."""
        return self.matcher.check(text)

    # ---- /support -------------------------------------------------------------------------

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
    ) -> Opened:
        """Open a support request for someone in the server; never store their message."""
        if topic not in TOPICS:
            raise InvalidInput(f"Please choose what it's about: {', '.join(TOPICS.values())}.")
        if urgency not in MEMBER_URGENCIES:
            options = ", ".join(URGENCIES[u] for u in MEMBER_URGENCIES)
            raise InvalidInput(f"Please choose how soon you need help: {options}.")
        text = self._message(message)
        if not in_server:
            raise NotAllowed(refusal_with_resources(self.settings, NOT_IN_SERVER))
        # Crisis words in the request itself make it urgent; the words are still not kept.
        if text and self.matcher.check(text) is not None:
            urgency = "urgent"
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, actor.guild_id)
            if config is None or config.setup_at is None:
                raise NotAllowed(
                    refusal_with_resources(
                        self.settings,
                        "Support requests aren't switched on in this server yet, so I can't "
                        "pass this on. Please tell a server admin or a worker.",
                    )
                )
            row = SupportRequest(
                guild_id=actor.guild_id,
                kind="request",
                user_id=actor.user_id,
                member_id=await self._member_id(s, actor.guild_id, actor.user_id),
                topic=topic,
                urgency=urgency,
                status="open",
                created_at=now,
                raised_interval=0,
                next_raise_at=now + self._interval,
            )
            s.add(row)
            await s.flush()
            view = view_of(row)
        notice = out_of_hours_notice(self.settings, now)
        ping = urgency in PING_URGENCIES
        return Opened(
            request=view,
            acknowledgement=acknowledgement(
                self.settings, urgent=ping, out_of_hours=notice, crisis=urgency == "urgent"
            ),
            crisis_resources=crisis_resources_text(self.settings),
            out_of_hours=notice is not None,
            out_of_hours_notice=notice,
            expected_response=self.settings.support.expected_response,
            ping_moderators=ping,
            moderator_role_id=config.moderator_role_id,
            queue_channel_id=config.support_queue_channel_id,
            message_to_forward=text,
        )

    @property
    def _interval(self) -> timedelta:
        return timedelta(minutes=self.settings.support.reraise_after_minutes)

    async def _member_id(self, s: AsyncSession, guild_id: int, user_id: int) -> int | None:
        member_id: int | None = await s.scalar(
            select(Member.id).where(Member.guild_id == guild_id, Member.user_id == user_id)
        )
        return member_id

    async def set_private_space(self, request_id: int, channel_id: int) -> None:
        """Remember the private thread or channel the cog opened for a request."""
        async with self.db.begin() as s:
            await s.execute(
                update(SupportRequest)
                .where(SupportRequest.id == request_id)
                .values(private_channel_id=channel_id)
            )

    async def set_card(self, request_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the queue card for a request was posted."""
        async with self.db.begin() as s:
            await s.execute(
                update(SupportRequest)
                .where(SupportRequest.id == request_id)
                .values(card_channel_id=channel_id, card_message_id=message_id)
            )

    # ---- safeguarding and reports ----------------------------------------------------------

    async def is_watched(
        self, guild_id: int, channel_id: int, parent_id: int | None = None
    ) -> bool:
        """Tell whether messages here are checked: peer support, or a support private space."""
        async with self.db.begin() as s:
            return await self._watched(s, guild_id, channel_id, parent_id)

    async def _watched(
        self, s: AsyncSession, guild_id: int, channel_id: int, parent_id: int | None
    ) -> bool:
        config = await s.get(GuildConfig, guild_id)
        if config is None:
            return False
        if config.peer_support_channel_id in {channel_id, parent_id}:
            return True
        space = await s.scalar(
            select(SupportRequest.id).where(
                SupportRequest.guild_id == guild_id,
                SupportRequest.private_channel_id == channel_id,
            )
        )
        return space is not None

    def _link(self, link: str) -> str:
        link = link.strip()
        if not link.startswith("https://") or len(link) > LINK_MAX:
            raise InvalidInput("That message link doesn't look right, so nothing was raised.")
        return link

    async def _insert_once(self, s: AsyncSession, dedup_key: str, **values: object) -> bool:
        """Insert a flag or report row unless one with this key exists; return True if new."""
        result = await s.execute(
            insert_for(s, SupportRequest)
            .values(dedup_key=dedup_key, **values)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def flag_message(
        self,
        guild_id: int,
        channel_id: int,
        message_id: int,
        author_id: int,
        link: str,
        *,
        parent_id: int | None = None,
        author_role_ids: frozenset[int] = frozenset(),
    ) -> Flagged | None:
        """Raise one urgent safeguarding request per matched message (no text is kept).

        Return None when the channel is not watched or the author is on the staff team
        (moderators quoting crisis words to help someone should not raise alerts).
        """
        link = self._link(link)
        now = self.clock.now()
        async with self.db.begin() as s:
            # Flags are rare; locking the server's row makes concurrent flags take turns on
            # PostgreSQL (SQLite's BEGIN IMMEDIATE already does), so "is this a repeat for
            # this person?" below always sees the flag committed just before it.
            config = await s.scalar(
                select(GuildConfig).where(GuildConfig.guild_id == guild_id).with_for_update()
            )
            if config is None or not await self._watched(s, guild_id, channel_id, parent_id):
                return None
            if is_moderator(config, Actor(author_id, guild_id, author_role_ids)):
                return None
            earlier = await s.scalar(
                select(func.count(SupportRequest.id)).where(
                    SupportRequest.guild_id == guild_id,
                    SupportRequest.kind == "safeguarding",
                    SupportRequest.user_id == author_id,
                    SupportRequest.created_at >= now - REPEAT_NOTE_WINDOW,
                    SupportRequest.message_id != message_id,
                )
            )
            created = await self._insert_once(
                s,
                f"sg:{message_id}",
                guild_id=guild_id,
                kind="safeguarding",
                user_id=author_id,
                member_id=await self._member_id(s, guild_id, author_id),
                urgency="urgent",
                status="open",
                message_link=link,
                message_channel_id=channel_id,
                message_id=message_id,
                created_at=now,
                raised_interval=0,
                next_raise_at=now + self._interval,
            )
            row = await s.scalar(
                select(SupportRequest).where(SupportRequest.dedup_key == f"sg:{message_id}")
            )
            assert row is not None
            return Flagged(
                request=view_of(row),
                created=created,
                author_message=author_message(self.settings, repeat=bool(earlier)),
                ping_moderators=created,
                moderator_role_id=config.moderator_role_id,
                queue_channel_id=config.support_queue_channel_id,
            )

    async def report_message(
        self,
        actor: Actor,
        *,
        channel_id: int,
        message_id: int,
        link: str,
        author_is_bot: bool,
        in_server: bool = True,
    ) -> Reported:
        """Raise a 'report' request for a message, once per reporter and message."""
        if author_is_bot:
            raise InvalidInput(
                "That message was posted by me, the group's bot, so there's nothing to report. "
                "If something I said worried you, please use /support and tell the moderators."
            )
        if not in_server:
            raise NotAllowed(
                "Only people in the group's server can report messages. If you're worried "
                "about something, please contact a participation worker directly."
            )
        link = self._link(link)
        now = self.clock.now()
        key = f"report:{message_id}:{actor.user_id}"
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            created = await self._insert_once(
                s,
                key,
                guild_id=actor.guild_id,
                kind="report",
                user_id=actor.user_id,
                member_id=await self._member_id(s, actor.guild_id, actor.user_id),
                urgency="today",
                status="open",
                message_link=link,
                message_channel_id=channel_id,
                message_id=message_id,
                created_at=now,
                raised_interval=0,
                next_raise_at=now + self._interval,
            )
            row = await s.scalar(select(SupportRequest).where(SupportRequest.dedup_key == key))
            assert row is not None
            return Reported(
                request=view_of(row),
                created=created,
                thanks=REPORT_THANKS if created else REPORT_AGAIN,
                ping_moderators=created,
                moderator_role_id=config.moderator_role_id,
                queue_channel_id=config.support_queue_channel_id,
            )

    # ---- the queue ------------------------------------------------------------------------

    async def get(self, actor: Actor, request_id: int) -> RequestView:
        """Return one request to a moderator."""
        async with self.db.begin() as s:
            await require_moderator(s, actor)
            return view_of(await self._row(s, actor.guild_id, request_id))

    async def get_for_card(self, request_id: int) -> RequestView | None:
        """Return a request for redrawing its card (no permission check: nothing is shown)."""
        async with self.db.begin() as s:
            row = await s.get(SupportRequest, request_id)
            return view_of(row) if row else None

    async def _row(self, s: AsyncSession, guild_id: int, request_id: int) -> SupportRequest:
        row = await s.get(SupportRequest, request_id)
        if row is None or row.guild_id != guild_id:
            raise NotFound("That support request no longer exists.")
        return row

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


def waiting_minutes(view: RequestView, now: datetime) -> int:
    """Return how long a request has waited, in whole minutes."""
    return max(0, int((now - view.created_at).total_seconds() // 60))
