"""Send what opportunities owe Discord: the announcement, its closed redraw, the selection DM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.delivery import Sent, Undeliverable, dm_owed, post_owed
from bot.services.errors import NotFound
from bot.services.opportunities import CLOSED, CLOSED_WORKERS, POSTED, SELECTED, OpportunityView
from bot.services.outbox import Delivery
from cogs.opportunities._render import day_of, esc, message_link, opportunity_embed
from cogs.opportunities._views import interest_view

if TYPE_CHECKING:
    from bot.app import ParticipationBot

NO_PINGS = discord.AllowedMentions.none()


class OpportunitySenders:
    """One sender per kind of opportunity message the outbox holds."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.service = bot.services.opportunities

    def register(self) -> None:
        """Tell the outbox which coroutine sends each kind."""
        self.bot.deliveries.on(POSTED, self.posted)
        self.bot.deliveries.on(CLOSED, self.closed)
        self.bot.deliveries.on(CLOSED_WORKERS, self.closed_workers)
        self.bot.deliveries.on(SELECTED, self.selected)

    async def _view(self, delivery: Delivery) -> OpportunityView:
        try:
            return await self.service.for_delivery(
                delivery.guild_id, int(delivery.payload["opportunity_id"])
            )
        except NotFound:
            raise Undeliverable("the opportunity is no longer there") from None

    async def posted(self, delivery: Delivery) -> Sent:
        """Announce an opportunity with its "I'm interested" button (once, by nonce)."""
        view = await self._view(delivery)
        if view.closed:
            raise Undeliverable("it closed before it could be announced")
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"📣 A new opportunity: **{esc(view.title)}**",
            embed=opportunity_embed(view, self.bot.settings),
            view=interest_view(view),
            allowed_mentions=NO_PINGS,
        )

    async def closed(self, delivery: Delivery) -> Sent:
        """Redraw a closed opportunity's announcement: its button now says it has closed."""
        view = await self._view(delivery)
        if view.channel_id is None or view.message_id is None:
            return Sent()  # never announced: nothing to redraw
        channel = self.bot.get_channel(view.channel_id) or await self.bot.fetch_channel(
            view.channel_id
        )
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise Undeliverable("the announcement's channel cannot hold messages")
        try:
            await channel.get_partial_message(view.message_id).edit(
                embed=opportunity_embed(view, self.bot.settings), view=interest_view(view)
            )
        except discord.NotFound:
            return Sent()  # someone deleted the announcement: nobody can press it anyway
        return Sent(view.channel_id, view.message_id)

    async def closed_workers(self, delivery: Delivery) -> Sent:
        """Tell workers in the worker log that an opportunity closed, and what to do next."""
        view = await self._view(delivery)
        n = int(delivery.payload.get("interested", 0))
        people = "Nobody" if n == 0 else ("1 person" if n == 1 else f"{n} people")
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"The opportunity **{esc(view.title)}** (#{view.id}) has closed. {people} said "
            f"they're interested. See who, with their adjustments, with "
            "`/opportunity interested`, and record who takes part with `/opportunity select`.",
            allowed_mentions=NO_PINGS,
        )

    async def selected(self, delivery: Delivery) -> Sent:
        """DM a member that they were selected (once, by nonce)."""
        owed = await self.service.selected_dm(
            delivery.guild_id, int(delivery.payload["opportunity_id"]), delivery.subject_member_id
        )
        if owed is None:
            raise Undeliverable("the person asked for their data to be erased")
        view = owed.opportunity
        link = message_link(view)
        text = (
            f"🎉 Good news: you've been selected for **{esc(view.title)}** "
            f"({view.kind_label.lower()}) on {day_of(view, self.bot.settings.tz)}.\n"
            f"Payment and expenses: {esc(view.payment)}\n"
            "A worker will be in touch with the details. If you need any adjustments, or can "
            "no longer take part, just tell them — that's completely fine."
            + (f"\n[See the opportunity]({link})" if link else "")
        )
        return await dm_owed(self.bot, delivery, owed.user_id, text)
