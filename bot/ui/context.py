"""The bot as its own type, for cogs and views (never `Any`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord

if TYPE_CHECKING:
    from bot.app import ParticipationBot

Interaction = discord.Interaction["ParticipationBot"]


def bot_of(interaction: discord.Interaction[discord.Client]) -> ParticipationBot:
    """Return the participation bot behind an interaction."""
    return cast("ParticipationBot", interaction.client)
