"""Send what opportunities owe Discord: the announcement, its closed redraw, the selection DM."""

from __future__ import annotations

import discord

from bot.delivery import Sender, Sent, Undeliverable, dm_owed
from bot.services.opportunities import CLOSED, CLOSED_WORKERS, POSTED, SELECTED, OpportunityView
from bot.services.outbox import Delivery
from bot.ui.senders import Senders, redraw_owed, subject_of
from cogs.opportunities._render import day_of, esc, message_link, opportunity_embed
from cogs.opportunities._views import interest_view

NO_PINGS = discord.AllowedMentions.none()


class OpportunitySenders(Senders):
    """One sender per kind of opportunity message the outbox holds."""

    def kinds(self) -> dict[str, Sender]:
        """Send the announcement, its closed redraw, the workers' note and the selection DM."""
        return {
            POSTED: self.posted,
            CLOSED: self.closed,
            CLOSED_WORKERS: self.closed_workers,
            SELECTED: self.selected,
        }

    async def _view(self, delivery: Delivery) -> OpportunityView:
        load = self.bot.services.opportunities.for_delivery
        gone = "the opportunity is no longer there"
        return await subject_of(delivery, "opportunity_id", load, gone)

    async def posted(self, delivery: Delivery) -> Sent:
        """Announce an opportunity with its "I'm interested" button (once, by nonce)."""
        view = await self._view(delivery)
        if view.closed:
            raise Undeliverable("it closed before it could be announced")
        return await self.post_to_channel(
            delivery,
            f"📣 A new opportunity: **{esc(view.title)}**",
            embed=opportunity_embed(view, self.bot.settings.for_server(delivery.guild_id)),
            view=interest_view(view),
            allowed_mentions=NO_PINGS,
        )

    async def closed(self, delivery: Delivery) -> Sent:
        """Redraw a closed opportunity's announcement: its button now says it has closed."""
        view = await self._view(delivery)
        return await redraw_owed(
            self.bot,
            view,
            "the announcement's channel",
            embed=opportunity_embed(view, self.bot.settings.for_server(delivery.guild_id)),
            view=interest_view(view),
        )

    async def closed_workers(self, delivery: Delivery) -> Sent:
        """Tell workers in the worker log that an opportunity closed, and what to do next."""
        view = await self._view(delivery)
        n = int(delivery.payload.get("interested", 0))
        people = "Nobody" if n == 0 else ("1 person" if n == 1 else f"{n} people")
        return await self.post_to_channel(
            delivery,
            f"The opportunity **{esc(view.title)}** (#{view.id}) has closed. {people} said "
            f"they're interested. See who, with their adjustments, with "
            "`/opportunity interested`, and record who takes part with `/opportunity select`.",
            allowed_mentions=NO_PINGS,
        )

    async def selected(self, delivery: Delivery) -> Sent:
        """DM a member that they were selected (once, by nonce)."""
        owed = await self.bot.services.opportunities.selected_dm(
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
