"""The base of every feature's cog: the bot, its services and its settings, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.app import ParticipationBot
    from bot.settings import Settings


class FeatureCog(commands.Cog):
    """A feature's slash commands and event handlers: thin glue over its service."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.settings = bot.settings

    def settings_for(self, guild_id: int | None) -> Settings:
        """Return a server's effective settings (the deployment's outside a server)."""
        return self.bot.settings.for_server(guild_id)
