"""A poll's channel, redrawing its message, and drawing its results chart."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord

from bot.services.errors import NotAllowed
from bot.services.polls import PollResults, PollView, results_chart_alt, results_chart_png
from cogs.polls._render import poll_embed
from cogs.polls._views import vote_view

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)

Postable = discord.TextChannel | discord.Thread


async def poll_channel(bot: ParticipationBot, channel_id: int) -> Postable:
    """Return the channel a poll is (or will be) posted in, or refuse if it can't be used."""
    channel = bot.get_channel(channel_id)
    if channel is None:
        try:
            channel = await bot.fetch_channel(channel_id)
        except discord.HTTPException:
            channel = None
    if not isinstance(channel, Postable):
        raise NotAllowed("That channel can't be used for polls.")
    return channel


async def redraw(bot: ParticipationBot, channel: Postable, poll: PollView) -> bool:
    """Redraw a posted poll's message (no vote components once closed); False if it failed."""
    if poll.message_id is None:
        return True
    size = await bot.services.polls.audience_count(poll.guild_id, poll.id) if poll.is_open else None
    try:
        await channel.get_partial_message(poll.message_id).edit(
            embed=poll_embed(poll, bot.settings.for_server(poll.guild_id), audience_size=size),
            view=vote_view(poll) if poll.is_open else None,
        )
    except discord.HTTPException:
        return False
    return True


async def chart(results: PollResults) -> tuple[discord.File | None, str | None]:
    """Draw the results chart with its alt text; if drawing fails, the results go out without."""
    if results.withheld:
        return None, None
    try:
        png = await asyncio.to_thread(results_chart_png, results)
    except Exception:
        log.exception("could not draw the chart for poll %s", results.poll.id)
        return None, None
    name = f"poll-{results.poll.id}-results.png"
    # The description is the chart's alt text: a screen reader reads out the counts.
    alt = results_chart_alt(results)
    return discord.File(io.BytesIO(png), filename=name, description=alt), name
