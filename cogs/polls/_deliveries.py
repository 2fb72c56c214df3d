"""Deliver what polls owe Discord: the closed poll's message, the results, the reminder DMs.

A close and a reminder claim write these to the outbox in their own transaction; the senders
here render and send them when the scheduler hands them over. Each is idempotent in effect:
the redraw is an edit, the results post and the DMs carry the delivery's nonce, so a retry after
a 503 or a lost reply shows them once. The chart is drawn here, at delivery, from the stored
results of the closed poll (they no longer change).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import discord

from bot.delivery import Sender, Sent, Undeliverable, dm_owed, post_owed
from bot.services.outbox import Delivery
from bot.services.polls import CLOSED_MESSAGE, REMINDER, RESULTS, PollView
from bot.ui.replies import clip
from bot.ui.senders import Senders, redraw_owed, subject_of
from bot.ui.timefmt import both
from cogs.polls._closing import chart
from cogs.polls._render import message_link, poll_embed, results_embed

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


GONE = "the poll no longer exists"


class PollsSenders(Senders):
    """The polls cog's outbox senders, registered on the bot's deliveries."""

    def kinds(self) -> dict[str, Sender]:
        """Send the closed poll's redraw, the results post and the reminder DMs."""
        return {CLOSED_MESSAGE: self.closed_message, RESULTS: self.results, REMINDER: self.reminder}

    async def _poll(self, delivery: Delivery) -> PollView:
        return await subject_of(delivery, "poll_id", self.bot.services.polls.owed.poll, GONE)

    async def closed_message(self, delivery: Delivery) -> Sent:
        """Mark a closed poll's message closed: no vote buttons (an edit, safe to repeat)."""
        poll = await self._poll(delivery)
        return await redraw_owed(
            self.bot,
            poll,
            "the poll's channel",
            embed=poll_embed(poll, self.bot.settings.for_server(delivery.guild_id)),
            view=None,
        )

    async def results(self, delivery: Delivery) -> Sent:
        """Post a closed poll's results with a chart in the poll's channel (once)."""
        load = self.bot.services.polls.owed.closed_results
        results = await subject_of(delivery, "poll_id", load, GONE)
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
        member_id = delivery.subject_member_id
        owed = await subject_of(
            delivery,
            "poll_id",
            lambda guild_id, poll_id: self.bot.services.polls.owed.reminder(
                guild_id, poll_id, member_id
            ),
            GONE,
        )
        if owed.user_id is None:
            raise Undeliverable(owed.skip or "no longer owed")
        text = reminder_text(owed.poll, self.bot.settings.tz)
        return await dm_owed(self.bot, delivery, owed.user_id, text)
