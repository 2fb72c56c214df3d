"""/support, /support-queue, "Report to moderators", and the safeguarding check on messages."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.app import ParticipationBot
from bot.services.access import Actor
from bot.services.errors import NotAllowed
from bot.services.support import (
    MEMBER_URGENCIES,
    MESSAGE_MAX,
    SPACE_LINK,
    TOPICS,
    Opened,
    refusal_with_resources,
)
from bot.ui.actor import actor_for, actor_from_member, held_here
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from cogs.support._choice import GroupChoice
from cogs.support._deliveries import SupportSenders
from cogs.support._render import queue_embed, safe
from cogs.support._report import ReportForm
from cogs.support._spaces import Spaces
from cogs.support._views import ClaimButton, EscalateButton, ResolveButton

log = logging.getLogger(__name__)
TOPIC_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in TOPICS.items()]
URGENCY_CHOICES = [
    app_commands.Choice(name=label, value=key) for key, label in MEMBER_URGENCIES.items()
]
NO_PINGS = discord.AllowedMentions.none()
NOT_IN_ANY_GROUP = (
    "It looks like you're not in the group's Discord server at the moment, so I can't pass "
    "this on. You're welcome to rejoin the server and try again."
)


class SupportCog(FeatureCog):
    """Support requests, the moderators' queue, reports and safeguarding."""

    def __init__(self, bot: ParticipationBot) -> None:
        super().__init__(bot)
        menu = app_commands.ContextMenu(
            name="Report to moderators",
            callback=self.report,
            extras={"audience": "member"},
        )
        self.report_menu = app_commands.guild_only()(menu)
        self.spaces = Spaces(bot)

    async def cog_load(self) -> None:
        """Make card buttons survive restarts; add the menu; handle re-raise events."""
        self.bot.add_dynamic_items(ClaimButton, EscalateButton, ResolveButton)
        # A reason typed into the report form arrives even if the bot restarted meanwhile.
        self.bot.add_persistent_forms(ReportForm)
        self.bot.tree.add_command(self.report_menu)
        SupportSenders(self.bot, self.spaces).register()

    async def cog_unload(self) -> None:
        """Take the context menu away with the cog."""
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)

    # ---- /support --------------------------------------------------------------------------

    async def _groups_of(self, user_id: int) -> list[int]:
        """Return the servers this person can ask for support in from a DM, by id.

        A server on this process's shards is known from its cache (someone in the server who
        never signed up counts too); the others from the membership table, since a DM reaches
        only shard 0's process and its cache holds only its own shards' servers.
        """
        wanted = self.bot.settings.discord_guild_id
        found = [
            guild.id
            for guild in self.bot.guilds
            if guild.get_member(user_id) is not None and wanted in (None, guild.id)
        ]
        for guild_id in await self.services.support.requests.groups_of(user_id):
            if wanted in (None, guild_id) and not held_here(self.bot, guild_id):
                found.append(guild_id)
        return sorted(set(found))

    async def name_of(self, guild_id: int) -> str:
        """Return a server's name (asked of Discord when it is on another process's shards)."""
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.name
        try:
            return (await self.bot.fetch_guild(guild_id, with_counts=False)).name
        except discord.HTTPException:
            return self.settings_for(guild_id).group.name

    def _where(self, interaction: Interaction) -> tuple[discord.Guild, discord.Member | None]:
        """Return the server asked from and the person's membership of it (None if not in it)."""
        guild = interaction.guild
        assert guild is not None  # DMs go through ask_in
        member = guild.get_member(interaction.user.id)
        if member is None and isinstance(interaction.user, discord.Member):
            member = interaction.user
        return guild, member

    @app_commands.command(
        name="support",
        # The limit is said here too, so /help tells people before they start typing.
        description=f"Ask the moderators for support, privately, by DM too (a message of up to "
        f"{MESSAGE_MAX:,} characters)",
        extras={"audience": "everyone"},
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.describe(
        topic="What it's about",
        urgency="How soon you need someone (choose \"I'm not safe right now\" if you're at risk)",
        message=f"Anything you'd like to tell the moderators now (optional, up to {MESSAGE_MAX:,} "
        "characters)",
    )
    @app_commands.choices(topic=TOPIC_CHOICES, urgency=URGENCY_CHOICES)
    async def support(
        self,
        interaction: Interaction,
        topic: app_commands.Choice[str],
        urgency: app_commands.Choice[str],
        message: app_commands.Range[str, None, MESSAGE_MAX] | None = None,
    ) -> None:
        """Open a request (asking which group first, in a DM from someone in several)."""
        if interaction.guild is None:
            groups = await self._groups_of(interaction.user.id)
            if not groups:
                # Never guess: a request sent to the wrong server would put someone's words there.
                raise NotAllowed(refusal_with_resources(self.bot.settings, NOT_IN_ANY_GROUP))
            if len(groups) == 1:
                await self.ask_in(interaction, groups[0], topic.value, urgency.value, message)
                return
            # The words stay in this process's memory only, until they choose.
            named = [(guild_id, await self.name_of(guild_id)) for guild_id in groups]
            choice = GroupChoice(self, interaction.user.id, named, topic.value, urgency.value)
            choice.message = message
            await reply(interaction, GroupChoice.QUESTION, view=choice)
            return
        guild, member = self._where(interaction)
        await self.ask(interaction, guild, member, topic.value, urgency.value, message)

    async def ask_in(
        self,
        interaction: Interaction,
        guild_id: int,
        topic: str,
        urgency: str,
        message: str | None,
    ) -> None:
        """Open a request from a DM in one server, whichever process owns it."""
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            member = guild.get_member(interaction.user.id)
            await self.ask(interaction, guild, member, topic, urgency, message)
            return
        if held_here(self.bot, guild_id):  # on our shards but not in our cache: the bot left
            raise NotAllowed(refusal_with_resources(self.bot.settings, NOT_IN_ANY_GROUP))
        # A server on another process's shards: the request is opened from the database alone.
        # The card and the private space are owed with it, and that server's process delivers
        # both. The words are never stored, so they go straight to the moderators' queue channel
        # from here (Discord's REST API is not sharded).
        user_id = interaction.user.id
        opened = await self.services.support.requests.open_request(
            Actor(user_id=user_id, guild_id=guild_id),
            topic=topic,
            urgency=urgency,
            message=message,
            space_elsewhere=True,
        )
        if opened.existing:
            await self._point_back(interaction, None, guild_id, opened)
            return
        await reply(interaction, opened.acknowledgement)
        words = opened.message_to_forward
        lost = ""
        if words and not await self._forward_words(None, guild_id, opened):
            lost = (
                "I couldn't pass on what you wrote, so please tell the moderators in your "
                "private space.\n\n"
            )
        where = f"**support-{opened.request.id}** in your group's server (I'll mention you there)"
        await reply(interaction, lost + opened.next_steps.replace(SPACE_LINK, where))

    async def ask(
        self,
        interaction: Interaction,
        guild: discord.Guild,
        member: discord.Member | None,
        topic: str,
        urgency: str,
        message: str | None,
    ) -> None:
        """Open the request in this server, answer at once, then open the private space."""
        actor = actor_from_member(guild.id, member, interaction.user.id)
        opened = await self.services.support.requests.open_request(
            actor, topic=topic, urgency=urgency, message=message, in_server=member is not None
        )
        assert member is not None  # the service refuses someone not in the server
        if opened.existing:
            await self._point_back(interaction, guild, guild.id, opened)
            return
        await reply(interaction, opened.acknowledgement)
        # The card is owed with the request (the outbox posts it, through any Discord failure).
        space, posted = None, False
        try:
            space, posted = await self.spaces.open(guild, member, opened)
        except Exception:
            log.exception("could not set up the private space for request %s", opened.request.id)
        words = opened.message_to_forward
        if space is not None:
            if words and not posted:
                await self._forward_words(guild, guild.id, opened)
            await reply(interaction, opened.next_steps.replace(SPACE_LINK, space.mention))
            return
        forwarded = bool(words) and await self._forward_words(guild, guild.id, opened)
        lost = (
            ""
            if forwarded or not words
            else "I couldn't pass on what you wrote, so please tell the moderators when they "
            "contact you.\n\n"
        )
        await reply(interaction, lost + opened.no_space_steps)

    async def _point_back(
        self,
        interaction: Interaction,
        guild: discord.Guild | None,
        guild_id: int,
        opened: Opened,
    ) -> None:
        """Point someone back to their open request; add any new words to their space."""
        words = opened.message_to_forward
        space = opened.request.private_channel_id
        user_id = interaction.user.id
        added = ""
        if words and space and await self.spaces.add_words(guild, space, user_id, words):
            added = "\n\nI've added what you wrote to your private space."
        elif words:
            forwarded = await self._forward_words(guild, guild_id, opened)
            added = (
                "\n\nI've passed what you wrote to the moderators."
                if forwarded
                else "\n\nI couldn't pass on what you wrote, so please tell the moderators."
            )
        await reply(interaction, clip(opened.acknowledgement + added))

    async def _forward_words(
        self, guild: discord.Guild | None, guild_id: int, opened: Opened
    ) -> bool:
        """Post the member's words in the staff queue (never stored); remember where.

        With no guild (the server is on another process's shards) the post goes to the queue
        channel's id straight through Discord's REST API.
        """
        queue = opened.queue_channel_id or 0
        channel: discord.abc.Messageable | None = (
            self.bot.get_partial_messageable(queue) if guild is None and queue else None
        )
        if guild is not None:
            found = guild.get_channel(queue)
            channel = found if isinstance(found, discord.TextChannel) else None
        user_id = opened.request.user_id
        if channel is None or user_id is None:
            return False
        try:
            message = await channel.send(
                clip(
                    f"Support request #{opened.request.id}: <@{user_id}> wrote:\n"
                    f"{safe(opened.message_to_forward or '')}"
                ),
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException:
            log.exception("could not pass on the words of request %s", opened.request.id)
            return False
        await self.services.support.owed.record_words(
            guild_id, opened.request.id, None, (message.channel.id, message.id)
        )
        return True

    @command(None, "support-queue", "Open support requests, most urgent first", "moderator")
    async def support_queue(self, interaction: Interaction) -> None:
        """List open requests privately, by urgency then age."""
        page = await self.services.support.requests.queue(actor_for(interaction))
        embed = queue_embed(page, self.bot.settings.tz, self.services.clock.now())
        await reply(interaction, embed=embed, allowed_mentions=NO_PINGS)

    # ---- reports ---------------------------------------------------------------------------

    async def report(self, interaction: Interaction, message: discord.Message) -> None:
        """Ask the reporter why (optional); the form raises the report when it is sent."""
        guild = interaction.guild
        if guild is None:
            raise NotAllowed("Please report messages from inside the group's server.")
        bot_user = self.bot.user
        member = guild.get_member(interaction.user.id)
        await self.services.support.flags.check_reportable(
            actor_from_member(guild.id, member, interaction.user.id),
            message_id=message.id,
            author_is_bot=bot_user is not None and message.author.id == bot_user.id,
            in_server=member is not None,
        )
        await interaction.response.send_modal(ReportForm(message.channel.id, message.id))
