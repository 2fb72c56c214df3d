"""Deliver what polls owe Discord: the closed poll's message, the results, the reminder DMs.

A close and a reminder claim write these to the outbox in their own transaction; the senders
here render and send them when the scheduler hands them over. Each is idempotent in effect:
the redraw is an edit, the results post and the DMs carry the delivery's nonce, so a retry after
a 503 or a lost reply shows them once. The chart is drawn here, at delivery, from the stored
results of the closed poll (they no longer change).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.delivery import Sent, Undeliverable, dm_owed, post_owed
from bot.services.errors import NotFound
from bot.services.outbox import Delivery
from bot.services.polls import CLOSED_MESSAGE, REMINDER, RESULTS, PollView
from bot.ui.replies import clip
from bot.ui.timefmt import both
from cogs.polls._closing import chart
from cogs.polls._render import message_link, poll_embed, results_embed

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)


def reminder_text(poll: PollView, tz: ZoneInfo) -> str:
    """Return the reminder DM for a poll the person has not voted in yet."""
    link = message_link(poll)
    return clip(
        "Hello! There's a quick poll you can still vote in:\n"
        f"**{discord.utils.escape_markdown(poll.question)}**\n"
        f"It closes {both(poll.closes_at, tz)}."
        + (f"\nVote here: {link}" if link else "")
        + "\n(You get this because you chose reminder DMs; change it with /profile edit.)"
    )


class PollsSenders:
    """The polls cog's outbox senders, registered on the bot's deliveries."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.owed = bot.services.polls.owed

    def register(self) -> None:
        """Tell the bot's deliveries which sender handles each polls kind."""
        self.bot.deliveries.on(CLOSED_MESSAGE, self.closed_message)
        self.bot.deliveries.on(RESULTS, self.results)
        self.bot.deliveries.on(REMINDER, self.reminder)

    async def _poll(self, delivery: Delivery) -> PollView:
        try:
            return await self.owed.poll(delivery.guild_id, int(delivery.payload["poll_id"]))
        except NotFound:
            raise Undeliverable("the poll no longer exists") from None

    async def closed_message(self, delivery: Delivery) -> Sent:
        """Mark a closed poll's message closed: no vote buttons (an edit, safe to repeat)."""
        poll = await self._poll(delivery)
        if poll.message_id is None:
            return Sent()  # never posted: nothing to mark
        channel = self.bot.get_channel(poll.channel_id) or await self.bot.fetch_channel(
            poll.channel_id
        )
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise Undeliverable("the poll's channel cannot hold messages")
        try:
            await channel.get_partial_message(poll.message_id).edit(
                embed=poll_embed(poll, self.bot.settings), view=None
            )
        except discord.NotFound:
            return Sent()  # someone deleted the poll message: nobody can vote on it anyway
        return Sent(poll.channel_id, poll.message_id)

    async def results(self, delivery: Delivery) -> Sent:
        """Post a closed poll's results with a chart in the poll's channel (once)."""
        poll_id = int(delivery.payload["poll_id"])
        try:
            results = await self.owed.closed_results(delivery.guild_id, poll_id)
        except NotFound:
            raise Undeliverable("the poll no longer exists") from None
        # A fresh file each attempt: a file is spent by the request that carried it.
        file, name = await chart(results)
        late = bool(delivery.payload.get("late"))
        return await post_owed(
            self.bot,
            delivery,
            results.poll.channel_id,
            "",
            embed=results_embed(results, self.bot.settings.tz, chart=name, late=late),
            file=file or discord.utils.MISSING,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def reminder(self, delivery: Delivery) -> Sent:
        """DM one member the poll's reminder, unless they voted or it closed meanwhile."""
        try:
            owed = await self.owed.reminder(
                delivery.guild_id, int(delivery.payload["poll_id"]), delivery.subject_member_id
            )
        except NotFound:
            raise Undeliverable("the poll no longer exists") from None
        if owed.user_id is None:
            raise Undeliverable(owed.skip or "no longer owed")
        text = reminder_text(owed.poll, self.bot.settings.tz)
        return await dm_owed(self.bot, delivery, owed.user_id, text)
