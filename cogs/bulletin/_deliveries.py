"""Send the bulletin the outbox owes: the announcements post, and one DM per opted-in member."""

from __future__ import annotations

import discord

from bot.delivery import Sender, Sent, Undeliverable, dm_owed
from bot.services.bulletin import DM, POST, BulletinContents, month_name
from bot.services.outbox import Delivery
from bot.ui.senders import Senders, subject_of
from cogs.bulletin._render import bulletin_embed

NO_PINGS = discord.AllowedMentions.none()
DM_FOOTNOTE = "(You get this because you chose news by DM; change it with /profile edit.)"


class BulletinSenders(Senders):
    """One sender per kind of bulletin message the outbox holds."""

    def kinds(self) -> dict[str, Sender]:
        """Send the announcements post and the DMs."""
        return {POST: self.post, DM: self.dm}

    async def _contents(self, delivery: Delivery) -> BulletinContents:
        load = self.bot.services.bulletin.contents_of
        return await subject_of(delivery, "issue_id", load, "the bulletin is no longer there")

    async def post(self, delivery: Delivery) -> Sent:
        """Post the month's bulletin in announcements (once, by nonce)."""
        contents = await self._contents(delivery)
        return await self.post_to_channel(
            delivery,
            f"📰 The {month_name(contents.month)} bulletin is here.",
            embed=bulletin_embed(contents, self.bot.settings.for_server(delivery.guild_id)),
            allowed_mentions=NO_PINGS,
        )

    async def dm(self, delivery: Delivery) -> Sent:
        """DM the month's bulletin to one member who opted in (once, by nonce)."""
        user_id = await self.bot.services.bulletin.dm_user(
            delivery.guild_id, delivery.subject_member_id
        )
        if user_id is None:
            raise Undeliverable("they left, paused, turned DMs off or erased their data first")
        contents = await self._contents(delivery)
        return await dm_owed(
            self.bot,
            delivery,
            user_id,
            f"📰 Hello! Here's the {month_name(contents.month)} bulletin. {DM_FOOTNOTE}",
            embed=bulletin_embed(contents, self.bot.settings.for_server(delivery.guild_id)),
        )
