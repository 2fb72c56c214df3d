"""Private support spaces: private threads in one #support-spaces channel the bot makes.

A private thread is seen only by the people in it and by those who may manage threads in its
channel (the staff roles, through that channel's permissions). Threads do not count towards
Discord's channel limits, so the thousandth request opens a space as easily as the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.delivery import Sent, Undeliverable
from bot.services.errors import NotFound
from bot.services.outbox import Delivery
from bot.services.support import Opened, Usage
from bot.ui.replies import clip
from cogs.support._render import safe

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)
SPACES_CHANNEL = "support-spaces"
STAFF_KEYS = ("moderator", "safeguarding", "worker")
# A week without messages before Discord archives a space (posting in it opens it again).
ARCHIVE_MINUTES: Literal[10080] = 10080


def _only(user_id: int) -> discord.AllowedMentions:
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])


class Spaces:
    """Open private spaces for support requests, and post a member's words into them."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.services = bot.services
        # One /support at a time makes the spaces channel, not two.
        self._making = asyncio.Lock()

    def _overwrites(self, guild: discord.Guild, role_ids: dict[str, int]) -> dict[Any, Any]:
        """Everyone sees the channel (not its private threads); staff manage every thread."""
        staff = discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            send_messages_in_threads=True,
            manage_threads=True,
            read_message_history=True,
        )
        found: dict[Any, Any] = {
            guild.default_role: discord.PermissionOverwrite(
                view_channel=True,
                send_messages=False,
                send_messages_in_threads=True,
                create_public_threads=False,
                create_private_threads=False,
                read_message_history=True,
            )
        }
        for key in STAFF_KEYS:
            role = guild.get_role(role_ids.get(key, 0))
            if role is not None:
                found[role] = staff
        if guild.me is not None:
            found[guild.me] = discord.PermissionOverwrite(
                view_channel=True,
                send_messages=True,
                send_messages_in_threads=True,
                create_private_threads=True,
                manage_threads=True,
                embed_links=True,
                read_message_history=True,
            )
        return found

    async def parent(self, guild: discord.Guild) -> discord.TextChannel | None:
        """Return the #support-spaces channel, making it the first time it is needed."""
        async with self._making:
            known = await self.services.support.spaces.parent(guild.id)
            channel = guild.get_channel(known or 0)
            if isinstance(channel, discord.TextChannel):
                return channel
            record = await self.services.setup.current(guild.id)
            if record is None:
                return None
            category = guild.get_channel(record.category_id)
            made = await self._make(
                guild,
                category if isinstance(category, discord.CategoryChannel) else None,
                self._overwrites(guild, record.role_ids),
            )
            await self.services.support.spaces.set_parent(guild.id, made.id)
            return made

    async def _make(
        self,
        guild: discord.Guild,
        category: discord.CategoryChannel | None,
        overwrites: dict[Any, Any],
    ) -> discord.TextChannel:
        topic = (
            "Private support spaces open here as threads: only the person who asked and the "
            "moderators can see each one. Use /support to ask for one."
        )
        try:
            return await guild.create_text_channel(
                SPACES_CHANNEL,
                category=category,
                overwrites=overwrites,
                topic=topic,
                reason="participation-bot: a home for private support spaces",
            )
        except discord.HTTPException:
            if category is None:
                raise
            # A full category must not stop support: the channel can live outside it.
            log.warning("the category is full: making #%s outside it", SPACES_CHANNEL)
            return await guild.create_text_channel(
                SPACES_CHANNEL, overwrites=overwrites, topic=topic
            )

    async def open(
        self, guild: discord.Guild, member: discord.Member, opened: Opened
    ) -> tuple[discord.Thread | None, bool]:
        """Open a private thread for this member and the staff; post their words there.

        Return the space (None if it could not be opened) and whether their words, if any,
        reached it (if not, the cog passes them to the queue instead).
        """
        return await self._open(
            guild, member, opened.request.id, opened.expected_response, opened.message_to_forward
        )

    async def owed_open(self, delivery: Delivery) -> Sent:
        """Open the space of a request asked for by DM in another process (safe to repeat)."""
        try:
            view, _places = await self.services.support.owed.card(
                delivery.guild_id, int(delivery.payload["request_id"])
            )
        except NotFound:
            raise Undeliverable("the support request no longer exists") from None
        if view.private_channel_id or not view.is_open or view.user_id is None:
            return Sent()  # opened already, or closed (or erased) meanwhile
        guild = self.bot.get_guild(delivery.guild_id)
        if guild is None:
            raise Undeliverable("the bot is no longer in that server")
        member = guild.get_member(view.user_id)
        if member is None:
            raise Undeliverable("the person is no longer in the server")
        settings = self.bot.settings.for_server(guild.id)
        urgent = view.urgency == "urgent"
        expected = "as soon as they can" if urgent else settings.support.expected_response
        space, _posted = await self._open(guild, member, view.id, expected, None)
        if space is None:
            raise Undeliverable("the server is not set up for private spaces")
        return Sent(channel_id=space.id)

    async def _open(
        self,
        guild: discord.Guild,
        member: discord.Member,
        rid: int,
        expected_response: str,
        words: str | None,
    ) -> tuple[discord.Thread | None, bool]:
        parent = await self.parent(guild)
        if parent is None:
            return None, False
        space = await parent.create_thread(
            name=f"support-{rid}",
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=ARCHIVE_MINUTES,
            reason="participation-bot: a support request",
        )
        await space.add_user(member)
        # Remembered only once the member is in it: a space they cannot see is no space.
        await self.services.support.requests.set_private_space(rid, space.id)
        intro = (
            f"<@{member.id}> This is your private space with the moderators. Only you and the "
            f"moderation team can see it. Someone will be with you {expected_response}."
        )
        if words:
            intro += f"\n\n**You wrote:**\n{safe(words)}"
        posted = True
        try:
            await space.send(clip(intro), allowed_mentions=_only(member.id))
        except discord.HTTPException:
            log.warning("could not post the welcome in the space of request %s", rid)
            posted = False
        await self.check_limits(guild, parent)
        return space, posted

    async def add_words(
        self, guild: discord.Guild | None, space_id: int, user_id: int, words: str
    ) -> bool:
        """Post more of a member's words in their open space (never stored); say if it worked.

        With no guild (the server is on another process's shards) the post goes straight to
        the space's id: fetching it would add an unavailable server to this process's cache.
        """
        space: Any = None if guild is None else guild.get_channel_or_thread(space_id)
        if guild is None:
            space = self.bot.get_partial_messageable(space_id)
        elif space is None:
            try:
                fetched = await self.bot.fetch_channel(space_id)
            except discord.HTTPException:
                return False
            space = fetched if isinstance(fetched, discord.Thread) else None
        if not isinstance(space, discord.Thread | discord.TextChannel | discord.PartialMessageable):
            return False
        try:
            await space.send(
                clip(f"<@{user_id}> asked again with /support and wrote:\n{safe(words)}"),
                allowed_mentions=_only(user_id),
            )
        except discord.HTTPException:
            log.info("could not add to the private space %s", space_id)
            return False
        return True

    async def check_limits(self, guild: discord.Guild, parent: discord.TextChannel) -> None:
        """Warn staff (once a day) when the server nears one of Discord's limits."""
        category = parent.category
        usage = Usage(
            channels=len([c for c in guild.channels if not isinstance(c, discord.CategoryChannel)]),
            in_category=len(category.channels) if category else 0,
            active_threads=len(guild.threads),
        )
        await self.services.support.spaces.check_limits(guild.id, usage)

    # ---- closing and removing (outbox senders) ----------------------------------------------

    async def close(self, delivery: Delivery) -> Sent:
        """Close a space to the member (resolved, or erased); staff keep it (safe to repeat)."""
        try:
            _view, places = await self.services.support.owed.card(
                delivery.guild_id, int(delivery.payload["request_id"])
            )
        except NotFound:
            raise Undeliverable("the support request no longer exists") from None
        thread = await self._thread(int(delivery.payload["channel_id"]))
        if thread is None:
            return Sent()  # already removed, or an old-style channel membership handles
        staff = set(places.staff_role_ids)
        me = self.bot.user.id if self.bot.user else 0
        for joined in await thread.fetch_members():
            member = thread.guild.get_member(joined.id)
            if joined.id == me or (member is not None and staff & {r.id for r in member.roles}):
                continue
            with contextlib.suppress(discord.NotFound):  # they may have left already
                await thread.remove_user(discord.Object(joined.id))
        await thread.edit(archived=True, locked=True, reason="Support space closed")
        return Sent()

    async def remove(self, delivery: Delivery) -> Sent:
        """Remove a resolved request's space once staff have kept it for the retention."""
        thread = await self._thread(int(delivery.payload["channel_id"]))
        if thread is not None:
            with contextlib.suppress(discord.NotFound):
                await thread.delete(reason="Support space past its retention")
        await self.services.support.owed.space_removed(
            delivery.guild_id, int(delivery.payload["request_id"])
        )
        return Sent()

    async def _thread(self, channel_id: int) -> discord.Thread | None:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                return None
        if not isinstance(channel, discord.Thread):
            return None  # an old-style private channel: erasure takes the person out of it
        return channel
