"""/setup, /help and /jargon."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.actor import actor_anywhere, actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from cogs.admin._pings import warn_if_silent
from cogs.admin._setup import apply_plan

log = logging.getLogger(__name__)

AUDIENCES = [
    ("everyone", "For everyone"),
    ("member", "For members"),
    ("worker", "For participation workers"),
    ("moderator", "For moderators"),
    ("admin", "For server admins"),
]


def _section(title: str, entries: list[str]) -> list[discord.Embed]:
    """Return one audience's help as embeds; an embed description holds 4,096 characters."""
    embeds: list[discord.Embed] = []
    chunk: list[str] = []
    for entry in entries:
        if sum(len(e) + 1 for e in chunk) + len(entry) > 4000:
            embeds.append(discord.Embed(title=title, description="\n".join(chunk)))
            chunk = []
        chunk.append(entry)
    if chunk:
        embeds.append(discord.Embed(title=title, description="\n".join(chunk)))
    return embeds


def _batches(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages: at most 10 embeds and 6,000 characters of them each."""
    batches: list[list[discord.Embed]] = [[]]
    for embed in embeds:
        size = sum(len(e) for e in batches[-1]) + len(embed)
        if len(batches[-1]) == 10 or size > 5800:
            batches.append([])
        batches[-1].append(embed)
    return batches


class AdminCog(FeatureCog):
    """Set-up, help and the glossary."""

    @command(None, "setup", "Create or link the group's roles and channels", "admin")
    @app_commands.default_permissions(manage_guild=True)
    async def setup_command(self, interaction: Interaction) -> None:
        """Create or link roles and channels; running it again creates nothing twice."""
        actor = actor_for(interaction)
        plan = self.services.setup.plan(actor)
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.guild is not None
        previous = await self.services.setup.current(interaction.guild.id)
        applied = await apply_plan(interaction.guild, plan, previous)
        await self.services.setup.record(actor, applied.record)
        lines = ["The group is set up."]
        if applied.made:
            lines.append("Created: " + ", ".join(applied.made) + ".")
        if applied.linked:
            lines.append("Already there, linked: " + ", ".join(applied.linked) + ".")
        # Warnings first after the summary: an urgent ping that rings nobody must be seen.
        lines += applied.warnings
        for warning in applied.warnings:
            log.warning("setup in guild %s: %s", interaction.guild.id, warning)
        lines.append("Next: give staff the Worker or Moderator role; members sign up with /join.")
        await reply(interaction, clip("\n".join(lines)))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Warn loudly, at every start, if urgent pings in a set-up server would ring nobody."""
        for guild in self.bot.guilds:
            record = await self.services.setup.current(guild.id)
            if record is not None:
                warn_if_silent(guild, record.role_ids)

    @app_commands.command(name="help", description="See the commands you can use")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.checks.cooldown(5, 30)
    async def help_command(self, interaction: Interaction) -> None:
        """List the commands this person's role can use, grouped by who they are for."""
        actor = await actor_anywhere(interaction)
        allowed = await self.services.membership.audiences(actor)
        embeds = [
            embed
            for key, title in AUDIENCES
            if key in allowed
            for embed in _section(title, self._entries_for(key))
        ]
        intro = (
            "Here is what you can do."
            if "member" in allowed
            else ("Not a member yet? Use `/join` to sign up. Here is what you can do now.")
        )
        batches = _batches(embeds)
        await reply(interaction, intro, embeds=batches[0])
        for batch in batches[1:]:
            await interaction.followup.send(embeds=batch, ephemeral=True)

    def _entries_for(self, audience: str) -> list[str]:
        """Return the help lines of the commands meant for one audience, sorted."""
        return sorted(
            f"`/{command.qualified_name}` — {command.description}"
            for command in self._all_commands()
            if command.extras.get("audience", "everyone") == audience
        )

    def _all_commands(self) -> list[app_commands.Command[Any, Any, Any]]:
        """Return every slash command, global or synced to the group's server, once each."""
        guild_id = self.bot.settings.discord_guild_id
        pools = [self.bot.tree.walk_commands()]
        if guild_id is not None:
            pools.append(self.bot.tree.walk_commands(guild=discord.Object(id=guild_id)))
        found: dict[str, app_commands.Command[Any, Any, Any]] = {}
        for pool in pools:
            for listed in pool:
                if isinstance(listed, app_commands.Command):
                    found.setdefault(listed.qualified_name, listed)
        return list(found.values())

    @app_commands.command(name="jargon", description="Explain a word or abbreviation we use")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.describe(term="The word to explain, e.g. CAMHS or co-production")
    async def jargon(self, interaction: Interaction, term: app_commands.Range[str, 1, 100]) -> None:
        """Explain a glossary term in plain English."""
        word, meaning = self.services.membership.explain(term, interaction.guild_id)
        await reply(interaction, f"**{word}**: {meaning}")

    @jargon.autocomplete("term")
    async def jargon_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest glossary terms as the person types."""
        return [
            app_commands.Choice(name=term[:100], value=term[:100])
            for term in self.services.membership.glossary_matches(
                current, guild_id=interaction.guild_id
            )
        ]
