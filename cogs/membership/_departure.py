"""What Discord must change when someone leaves or is erased: roles, messages, private spaces."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.services.membership import Departure

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)


async def remove_roles(guild: discord.Guild, departure: Departure) -> None:
    """Take away the roles membership gave, where the person still holds them."""
    member = guild.get_member(departure.user_id)
    roles = [r for rid in departure.remove_role_ids if (r := guild.get_role(rid)) is not None]
    if member is not None and (held := [r for r in roles if r in member.roles]):
        await member.remove_roles(*held, reason="Left the participation group")


async def carry_out_erasure(
    client: ParticipationBot, guild: discord.Guild, departure: Departure
) -> None:
    """Remove roles, redact the bot's messages about the person, and close their spaces."""
    await remove_roles(guild, departure)
    await _redact(client, departure.redact_messages)
    await _leave_channels(guild, departure.user_id, departure.leave_channels)


async def _leave_channels(guild: discord.Guild, user_id: int, channel_ids: list[int]) -> None:
    """Take an erased person's access to their private spaces away (staff keep them)."""
    for channel_id in channel_ids:
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            continue
        kept = {t: o for t, o in channel.overwrites.items() if t.id != user_id}
        try:
            await channel.edit(overwrites=kept, reason="Erased at their request")
        except discord.HTTPException:
            log.info("could not remove an erased person's access to a private space")


async def _redact(client: ParticipationBot, locations: list[tuple[int, int]]) -> None:
    """Replace the bot's messages about an erased person with a short note."""
    for channel_id, message_id in locations:
        channel = client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            continue
        try:
            message = await channel.fetch_message(message_id)
            await message.edit(content="(Erased at the person's request.)", embeds=[], view=None)
        except discord.HTTPException:
            log.info("could not redact a message after an erasure")
