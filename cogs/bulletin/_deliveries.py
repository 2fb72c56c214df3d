"""Send the bulletin the outbox owes: the announcements post, and one DM per opted-in member."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.delivery import Sent, Undeliverable, dm_owed, post_owed
from bot.services.bulletin import DM, POST, BulletinContents, month_name
from bot.services.errors import NotFound
from bot.services.outbox import Delivery
from cogs.bulletin._render import bulletin_embed

if TYPE_CHECKING:
    from bot.app import ParticipationBot

NO_PINGS = discord.AllowedMentions.none()
DM_FOOTNOTE = "(You get this because you chose news by DM; change it with /profile edit.)"


class BulletinSenders:
    """One sender per kind of bulletin message the outbox holds."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.service = bot.services.bulletin

    def register(self) -> None:
        """Tell the outbox which coroutine sends each kind."""
        self.bot.deliveries.on(POST, self.post)
        self.bot.deliveries.on(DM, self.dm)

    async def _contents(self, delivery: Delivery) -> BulletinContents:
        try:
            return await self.service.contents_of(
                delivery.guild_id, int(delivery.payload["issue_id"])
            )
        except NotFound:
            raise Undeliverable("the bulletin is no longer there") from None

    async def post(self, delivery: Delivery) -> Sent:
        """Post the month's bulletin in announcements (once, by nonce)."""
        contents = await self._contents(delivery)
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"📰 The {month_name(contents.month)} bulletin is here.",
            embed=bulletin_embed(contents, self.bot.settings),
            allowed_mentions=NO_PINGS,
        )

    async def dm(self, delivery: Delivery) -> Sent:
        """DM the month's bulletin to one member who opted in (once, by nonce)."""
        user_id = await self.service.dm_user(delivery.guild_id, delivery.subject_member_id)
        if user_id is None:
            raise Undeliverable("they left, paused, turned DMs off or erased their data first")
        contents = await self._contents(delivery)
        return await dm_owed(
            self.bot,
            delivery,
            user_id,
            f"📰 Hello! Here's the {month_name(contents.month)} bulletin. {DM_FOOTNOTE}",
            embed=bulletin_embed(contents, self.bot.settings),
        )
