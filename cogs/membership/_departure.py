"""What Discord must change when someone leaves or is erased: roles, messages, private spaces."""

from __future__ import annotations

import contextlib
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
    """Remove roles and close their spaces (redactions were owed with the erasure itself)."""
    try:
        await remove_roles(guild, departure)
    except discord.HTTPException:
        log.warning("could not remove an erased person's roles in guild %s", guild.id)
    await _leave_channels(guild, departure.user_id, departure.leave_channels)
    await _old_welcomes(client, guild, departure)


# Welcomes posted before the outbox kept their ids are found by reading #welcome back this far.
WELCOME_HISTORY = 1000


async def _old_welcomes(
    client: ParticipationBot, guild: discord.Guild, departure: Departure
) -> None:
    """Delete older welcome posts that name an erased person (newer ones are in the outbox)."""
    channel = guild.get_channel(departure.welcome_channel_id or 0)
    if not isinstance(channel, discord.TextChannel) or client.user is None:
        return
    mention = f"<@{departure.user_id}>"
    try:
        async for message in channel.history(limit=WELCOME_HISTORY):
            if message.author.id == client.user.id and mention in message.content:
                with contextlib.suppress(discord.NotFound):  # the outbox got there first
                    await message.delete()
    except discord.HTTPException:
        log.info("could not look through #welcome for an erased person's old welcome")


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
