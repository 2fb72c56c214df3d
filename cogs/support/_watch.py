"""The safeguarding check on messages: new, edited (even uncached), missed while down, DMs.

- every message in #peer-support, its threads and the private support spaces is checked;
- an edit is checked from the raw event, so a message no longer in discord.py's cache counts;
- at start-up (and after each reconnect) the history since the last message seen is read, so
  anything posted while the bot was down is checked too;
- a DM to the bot with crisis words gets the crisis contacts at once (nobody reads bot DMs).
Messages are never deleted and their words are never stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.services.support import dm_crisis_reply
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)
# Watermarks are written at most this often per channel; a crash re-reads a little, no more.
MARK_EVERY_SECONDS = 10.0
# With no watermark yet (a new install), catch-up reads this many recent messages.
FIRST_LOOK = 50
WATCHED_CACHE_SECONDS = 60.0


class SafeguardingCog(commands.Cog):
    """Check watched messages for crisis words; raise an alert once per message."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.services = bot.services
        self._parents: dict[int, tuple[float, set[int]]] = {}
        self._marks: dict[int, tuple[int, int]] = {}  # channel -> (guild, message id)
        self._marked_at: dict[int, float] = {}
        self._catching_up = asyncio.Lock()

    # ---- which channels are watched ----------------------------------------------------------

    async def _watched_parents(self, guild_id: int) -> set[int]:
        """Return #peer-support and #support-spaces (their threads are watched too)."""
        cached = self._parents.get(guild_id)
        if cached is not None and time.monotonic() - cached[0] < WATCHED_CACHE_SECONDS:
            return cached[1]
        record = await self.services.setup.current(guild_id)
        found = set()
        if record is not None and record.channel_ids.get("peer_support"):
            found.add(record.channel_ids["peer_support"])
        spaces = await self.services.support.spaces.parent(guild_id)
        if spaces:
            found.add(spaces)
        self._parents[guild_id] = (time.monotonic(), found)
        return found

    async def _note_seen(self, guild_id: int, channel: Any, message_id: int) -> None:
        """Remember the newest message seen in a watched channel (written now and then)."""
        parents = await self._watched_parents(guild_id)
        if channel.id not in parents and getattr(channel, "parent_id", None) not in parents:
            return
        current = self._marks.get(channel.id)
        if current is None or message_id > current[1]:
            self._marks[channel.id] = (guild_id, message_id)
        if time.monotonic() - self._marked_at.get(channel.id, 0.0) >= MARK_EVERY_SECONDS:
            await self._flush(channel.id)

    async def _flush(self, channel_id: int) -> None:
        mark = self._marks.pop(channel_id, None)
        if mark is None:
            return
        self._marked_at[channel_id] = time.monotonic()
        await self.services.support.watch.seen(mark[0], {channel_id: mark[1]})

    async def cog_unload(self) -> None:
        """Write the last watermarks on the way out."""
        for channel_id in list(self._marks):
            await self._flush(channel_id)

    # ---- checking ----------------------------------------------------------------------------

    async def check(
        self,
        guild_id: int,
        channel: Any,
        message_id: int,
        author_id: int,
        content: str,
        role_ids: frozenset[int],
    ) -> None:
        """Raise an alert if a watched message has crisis words (the card and note are owed)."""
        # The pattern check runs first: it costs microseconds and most messages stop here.
        if not content or self.services.support.flags.check(content, guild_id) is None:
            return
        await self.services.support.flags.flag_message(
            guild_id,
            channel.id,
            message_id,
            author_id,
            f"https://discord.com/channels/{guild_id}/{channel.id}/{message_id}",
            parent_id=getattr(channel, "parent_id", None),
            author_role_ids=role_ids,
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Check a new message; answer a DM with crisis words with the crisis contacts."""
        if message.author.bot:
            return
        if message.guild is None:
            await self._answer_dm(message)
            return
        roles = frozenset(r.id for r in getattr(message.author, "roles", []))
        await self.check(
            message.guild.id,
            message.channel,
            message.id,
            message.author.id,
            message.content,
            roles,
        )
        await self._note_seen(message.guild.id, message.channel, message.id)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Check an edited message, whether or not it is still in discord.py's cache."""
        data: dict[str, Any] = dict(payload.data)
        content = data.get("content")
        author = data.get("author") or {}
        if payload.guild_id is None or not isinstance(content, str) or author.get("bot"):
            return
        cached = payload.cached_message
        if cached is not None and cached.content == content:
            return  # an embed or pin update, not new words
        if self.services.support.flags.check(content, payload.guild_id) is None:
            return
        guild = self.bot.get_guild(payload.guild_id)
        channel: Any = guild.get_channel_or_thread(payload.channel_id) if guild else None
        if channel is None:
            channel = await self.bot.fetch_channel(payload.channel_id)
        member = data.get("member") or {}
        roles = frozenset(int(r) for r in member.get("roles") or [])
        await self.check(
            payload.guild_id, channel, payload.message_id, int(author["id"]), content, roles
        )

    def _settings_of(self, user_id: int) -> Settings:
        """Return the settings of the one group a person is in (the defaults if several)."""
        groups = [g.id for g in self.bot.guilds if g.get_member(user_id) is not None]
        return self.bot.settings.for_server(groups[0] if len(groups) == 1 else None)

    async def _answer_dm(self, message: discord.Message) -> None:
        """Give the crisis contacts to someone who DMs the bot crisis words."""
        if self.services.support.flags.check(message.content) is None:
            return
        for attempt in range(3):
            try:
                await message.channel.send(
                    dm_crisis_reply(self._settings_of(message.author.id)),
                    allowed_mentions=discord.AllowedMentions.none(),
                    nonce=f"crisis-dm-{message.id}"[:25],
                )
                return
            except discord.HTTPException as error:
                if error.status < 500 and error.status != 429:
                    log.info("could not answer a crisis DM: %s", error.status)
                    return
                await asyncio.sleep(0.5 * (attempt + 1))
        log.warning("could not answer a crisis DM after three tries")

    # ---- catching up after downtime -----------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Read what was posted in watched channels while the bot was away."""
        await self.catch_up()

    async def catch_up(self) -> int:
        """Check every watched channel's history since the last message seen; return how many."""
        read = 0
        async with self._catching_up:
            for guild in self.bot.guilds:
                try:
                    read += await self._catch_up_guild(guild)
                except Exception:
                    log.exception("safeguarding catch-up failed in a server; it runs again later")
        return read

    async def _catch_up_guild(self, guild: discord.Guild) -> int:
        self._parents.pop(guild.id, None)
        channels: list[discord.TextChannel | discord.Thread] = []
        for parent_id in await self._watched_parents(guild.id):
            parent = guild.get_channel(parent_id)
            if isinstance(parent, discord.TextChannel):
                channels += [parent, *parent.threads]
        marks = await self.services.support.watch.last_seen([c.id for c in channels])
        read = 0
        newest: dict[int, int] = {}
        for channel in channels:
            after = marks.get(channel.id)
            history = channel.history(
                limit=None if after else FIRST_LOOK,
                after=discord.Object(after) if after else None,
                oldest_first=True,
            )
            async for message in history:
                read += 1
                newest[channel.id] = max(newest.get(channel.id, 0), message.id)
                if message.author.bot:
                    continue
                member = guild.get_member(message.author.id)
                roles = frozenset(r.id for r in member.roles) if member else frozenset()
                await self.check(
                    guild.id, channel, message.id, message.author.id, message.content, roles
                )
        await self.services.support.watch.seen(guild.id, newest)
        return read
