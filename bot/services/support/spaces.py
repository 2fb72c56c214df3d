"""Where private support spaces open, and warning staff before Discord's limits are near.

A space is a private thread in one channel the bot made for them: threads do not count
towards Discord's 50 channels per category or 500 per server, so a group can run for years.
Resolved spaces close to the member after a day and are removed after the retention, which
keeps the active threads (Discord allows 1,000 per server) well below the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models.support import SupportPlace
from bot.db.upsert import insert_for
from bot.services.base import Service
from bot.services.support.owed import LIMIT_WARNING

# Discord's limits, and the share of each at which staff are warned.
CHANNELS_PER_SERVER = 500
CHANNELS_PER_CATEGORY = 50
ACTIVE_THREADS_PER_SERVER = 1000
WARN_AT = 0.9


@dataclass(frozen=True)
class Usage:
    """How much of each Discord limit a server uses now."""

    channels: int
    in_category: int
    active_threads: int


def warnings_for(usage: Usage) -> list[tuple[str, str]]:
    """Return (key, text) for each limit the server is close to."""
    found: list[tuple[str, str]] = []
    checks = (
        ("channels", usage.channels, CHANNELS_PER_SERVER, "channels in the server"),
        ("category", usage.in_category, CHANNELS_PER_CATEGORY, "channels in the category"),
        ("threads", usage.active_threads, ACTIVE_THREADS_PER_SERVER, "active threads"),
    )
    for key, used, limit, what in checks:
        if used >= limit * WARN_AT:
            found.append(
                (
                    key,
                    f"⚠️ Heads up: the server has {used} of Discord's limit of {limit} {what}. "
                    "When it is reached, Discord refuses new ones. Please archive or delete "
                    "some you no longer need.",
                )
            )
    return found


class SupportSpaces(Service):
    """Remember the channel that holds support spaces; warn staff near Discord's limits."""

    async def parent(self, guild_id: int) -> int | None:
        """Return the channel private support spaces open in, if it was made."""
        async with self.db.begin() as s:
            place = await s.get(SupportPlace, guild_id)
            return place.spaces_channel_id if place else None

    async def set_parent(self, guild_id: int, channel_id: int) -> None:
        """Remember the channel private support spaces open in."""
        async with self.db.begin() as s:
            await s.execute(
                insert_for(s, SupportPlace)
                .values(guild_id=guild_id, spaces_channel_id=channel_id)
                .on_conflict_do_update(
                    index_elements=["guild_id"], set_={"spaces_channel_id": channel_id}
                )
            )

    async def check_limits(self, guild_id: int, usage: Usage) -> int:
        """Owe staff a warning for each limit that is near (once a day each); return how many."""
        found = warnings_for(usage)
        if not found:
            return 0
        day = self.clock.now().date().isoformat()
        async with self.db.begin() as s:
            for key, text in found:
                await self.owe(
                    s,
                    guild_id=guild_id,
                    kind=LIMIT_WARNING,
                    payload={"text": text},
                    dedup_key=f"{LIMIT_WARNING}:{guild_id}:{key}:{day}",
                )
        self.wake()
        return len(found)
