"""Requests raised from a message: crisis words spotted in it, or a member reporting it.

Flagged and reported messages are kept only as links, never their words.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, SupportRequest
from bot.services.access import Actor, guild_config, is_moderator
from bot.services.base import Service, insert_once
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.support.owed import owe_card, owe_crisis_note
from bot.services.support.records import LINK_MAX, Flagged, Reported, view_of
from bot.services.support.rows import member_id_of, waiting_from, where_to_post
from bot.services.support.safeguarding import Match, SafeguardingMatcher
from bot.services.support.wording import REPORT_AGAIN, REPORT_THANKS, author_message

# A second flag for the same person within this time gets a shorter note, not the full one.
REPEAT_NOTE_WINDOW = timedelta(hours=1)
BOT_MESSAGE = (
    "That message was posted by me, the group's bot, so there's nothing to report. If "
    "something I said worried you, please use /support and tell the moderators."
)
REPORTER_NOT_IN_SERVER = (
    "Only people in the group's server can report messages. If you're worried about "
    "something, please contact a participation worker directly."
)


def _link(link: str) -> str:
    link = link.strip()
    if not link.startswith("https://") or len(link) > LINK_MAX:
        raise InvalidInput("That message link doesn't look right, so nothing was raised.")
    return link


def _card(config: GuildConfig, row: SupportRequest, created: bool) -> dict[str, Any]:
    """Return the card to post and where; only a new request pings the moderators."""
    return {
        "request": view_of(row),
        "created": created,
        "ping_moderators": created,
        **where_to_post(config),
    }


class SupportFlags(Service):
    """Check messages for crisis words, and raise one request per flagged or reported message."""

    @cached_property
    def matcher(self) -> SafeguardingMatcher:
        """Return the crisis rules, compiled once: on_message checks every peer-support message."""
        return SafeguardingMatcher(self.settings.safeguarding)

    def matcher_for(self, guild_id: int | None) -> SafeguardingMatcher:
        """Return a server's crisis rules, compiled once for each version of them."""
        if guild_id is None or self.settings_for(guild_id) is self.settings:
            return self.matcher
        matcher: SafeguardingMatcher = self.built_for(guild_id, "safeguarding", SafeguardingMatcher)
        return matcher

    def check(self, text: str, guild_id: int | None = None) -> Match | None:
        """Return the crisis rule a message matches, or None (the text is not kept)."""
        return self.matcher_for(guild_id).check(text)

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

    async def _raise_once(
        self,
        s: AsyncSession,
        key: str,
        *,
        guild_id: int,
        kind: str,
        user_id: int,
        urgency: str,
        message: tuple[int, int, str],
        now: datetime,
        author_is_staff: bool = False,
    ) -> tuple[SupportRequest, bool]:
        """Add a request about a message unless one with this key exists; say if it is new."""
        channel_id, message_id, link = message
        created = await insert_once(
            s,
            SupportRequest,
            ["dedup_key"],
            dedup_key=key,
            guild_id=guild_id,
            kind=kind,
            user_id=user_id,
            member_id=await member_id_of(s, guild_id, user_id),
            urgency=urgency,
            message_link=link,
            message_channel_id=channel_id,
            message_id=message_id,
            author_is_staff=author_is_staff,
            **waiting_from(self.settings_for(guild_id), now),
        )
        row = await s.scalar(select(SupportRequest).where(SupportRequest.dedup_key == key))
        assert row is not None
        return row, bool(created)

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

        Staff authors are checked too: a volunteer moderator may be a young person who needs
        support. Their card is worded kindly (they may be quoting someone to help them) and
        goes to the safeguarding lead. Return None when the channel is not watched.
        """
        link = _link(link)
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
            staff = is_moderator(config, Actor(author_id, guild_id, author_role_ids))
            earlier = await s.scalar(
                select(func.count(SupportRequest.id)).where(
                    SupportRequest.guild_id == guild_id,
                    SupportRequest.kind == "safeguarding",
                    SupportRequest.user_id == author_id,
                    SupportRequest.created_at >= now - REPEAT_NOTE_WINDOW,
                    SupportRequest.message_id != message_id,
                )
            )
            row, created = await self._raise_once(
                s,
                f"sg:{message_id}",
                guild_id=guild_id,
                kind="safeguarding",
                user_id=author_id,
                urgency="urgent",
                message=(channel_id, message_id, link),
                now=now,
                author_is_staff=staff,
            )
            flagged = Flagged(
                author_message=author_message(
                    self.settings_for(guild_id), repeat=bool(earlier), now=now, staff=staff
                ),
                **_card(config, row, created),
            )
            if created:
                await owe_card(s, row, now, ping=True)
                await owe_crisis_note(s, row, now, flagged.author_message)
        if created:
            self.wake()
        return flagged

    @staticmethod
    def _reportable(*, author_is_bot: bool, in_server: bool) -> None:
        if author_is_bot:
            raise InvalidInput(BOT_MESSAGE)
        if not in_server:
            raise NotAllowed(REPORTER_NOT_IN_SERVER)

    async def check_reportable(
        self, actor: Actor, *, message_id: int, author_is_bot: bool, in_server: bool
    ) -> None:
        """Answer now, before the form opens, when a report would go nowhere or was made."""
        self._reportable(author_is_bot=author_is_bot, in_server=in_server)
        async with self.db.begin() as s:
            made = await s.scalar(
                select(SupportRequest.id).where(
                    SupportRequest.dedup_key == f"report:{message_id}:{actor.user_id}"
                )
            )
        if made is not None:
            raise InvalidInput(REPORT_AGAIN)

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
        """Raise a 'report' request for a message, once per reporter and message.

        A reason the reporter gives never comes here: the cog shows it to the moderators and
        the database keeps only the request's metadata.
        """
        self._reportable(author_is_bot=author_is_bot, in_server=in_server)
        link = _link(link)
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            row, created = await self._raise_once(
                s,
                f"report:{message_id}:{actor.user_id}",
                guild_id=actor.guild_id,
                kind="report",
                user_id=actor.user_id,
                urgency="today",
                message=(channel_id, message_id, link),
                now=self.clock.now(),
            )
            reported = Reported(
                thanks=REPORT_THANKS if created else REPORT_AGAIN, **_card(config, row, created)
            )
            if created:
                await owe_card(s, row, self.clock.now(), ping=True)
        if created:
            self.wake()
        return reported
