"""/support, /support-queue, "Report to moderators", and the safeguarding check on messages."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ParticipationBot
from bot.services.errors import NotAllowed
from bot.services.support import (
    MEMBER_URGENCIES,
    TOPICS,
    URGENCIES,
    Flagged,
    Opened,
    SupportRaised,
    refusal_with_resources,
)
from bot.ui.actor import actor_for, actor_from_member
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from cogs.support._render import queue_embed
from cogs.support._views import (
    ClaimButton,
    EscalateButton,
    ResolveButton,
    dm,
    post_card,
)

log = logging.getLogger(__name__)
TOPIC_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in TOPICS.items()]
URGENCY_CHOICES = [app_commands.Choice(name=URGENCIES[u], value=u) for u in MEMBER_URGENCIES]
NO_PINGS = discord.AllowedMentions.none()
Overwrites = dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]


def _waited(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins or not hours:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


class SupportCog(commands.Cog):
    """Support requests, the moderators' queue, reports and safeguarding."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.services = bot.services
        menu = app_commands.ContextMenu(
            name="Report to moderators",
            callback=self.report,
            extras={"audience": "member"},
        )
        self.report_menu = app_commands.guild_only()(menu)

    async def cog_load(self) -> None:
        """Make card buttons survive restarts; add the menu; handle re-raise events."""
        self.bot.add_dynamic_items(ClaimButton, EscalateButton, ResolveButton)
        self.bot.tree.add_command(self.report_menu)
        self.bot.scheduler.on(SupportRaised, self.on_raised)

    async def cog_unload(self) -> None:
        """Take the context menu away with the cog."""
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)

    # ---- /support --------------------------------------------------------------------------

    def _where(self, interaction: Interaction) -> tuple[discord.Guild, discord.Member | None]:
        """Return the group's server and the person's membership of it (None if not in it)."""
        if interaction.guild is not None:
            member = interaction.guild.get_member(interaction.user.id)
            if member is None and isinstance(interaction.user, discord.Member):
                member = interaction.user
            return interaction.guild, member
        wanted = self.bot.settings.discord_guild_id
        guilds = [g for g in self.bot.guilds if wanted is None or g.id == wanted]
        for guild in guilds:
            member = guild.get_member(interaction.user.id)
            if member is not None:
                return guild, member
        if guilds:
            return guilds[0], None
        raise NotAllowed(
            refusal_with_resources(
                self.bot.settings, "I can't find the group's server, so I can't pass this on."
            )
        )

    @app_commands.command(
        name="support",
        description="Ask the moderators for support, privately (works in DMs too)",
        extras={"audience": "everyone"},
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.describe(
        topic="What it's about",
        urgency="How soon you need someone",
        message="Anything you'd like to tell the moderators now (optional, up to 1,500 characters)",
    )
    @app_commands.choices(topic=TOPIC_CHOICES, urgency=URGENCY_CHOICES)
    async def support(
        self,
        interaction: Interaction,
        topic: app_commands.Choice[str],
        urgency: app_commands.Choice[str],
        message: app_commands.Range[str, None, 1500] | None = None,
    ) -> None:
        """Open a request, answer at once, then post the card and open the private space."""
        guild, member = self._where(interaction)
        actor = actor_from_member(guild.id, member, interaction.user.id)
        opened = await self.services.support.requests.open_request(
            actor,
            topic=topic.value,
            urgency=urgency.value,
            message=message,
            in_server=member is not None,
        )
        await reply(interaction, opened.acknowledgement)
        # The card comes first: whatever else fails, the moderators must see the request.
        card = None
        try:
            view = (
                await self.services.support.requests.get_for_card(opened.request.id)
                or opened.request
            )
            card = await post_card(
                self.bot,
                view,
                opened.queue_channel_id,
                opened.moderator_role_id,
                opened.ping_moderators,
            )
        except Exception:
            log.exception("could not post the card for support request %s", opened.request.id)
        space = None
        try:
            space = await self._open_space(guild, member, opened)
        except Exception:
            log.exception("could not set up the private space for request %s", opened.request.id)
        if space is not None:
            await reply(interaction, f"Your private space is ready: {space.mention}")
        else:
            await reply(
                interaction,
                "I couldn't open a private space just now, so your request has gone straight "
                "to the moderators' queue. They will contact you.",
            )
        if space is None and card is not None and opened.message_to_forward:
            # No private space could be made: the staff queue is the only place their words
            # can reach the moderators (they are still never stored).
            await card.reply(
                clip(f"<@{interaction.user.id}> wrote:\n{opened.message_to_forward}"),
                allowed_mentions=NO_PINGS,
            )

    async def _open_space(
        self, guild: discord.Guild, member: discord.Member | None, opened: Opened
    ) -> discord.TextChannel | None:
        """Make a channel only this member and the staff roles can see; post their words there."""
        record = await self.services.setup.current(guild.id)
        if record is None or member is None:
            return None
        category = guild.get_channel(record.category_id)
        allow = discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True
        )
        overwrites: Overwrites = {
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            member: allow,
        }
        for key in ("moderator", "safeguarding", "worker"):
            role = guild.get_role(record.role_ids.get(key, 0))
            if role is not None:
                overwrites[role] = allow
        if guild.me is not None:
            overwrites[guild.me] = discord.PermissionOverwrite(
                view_channel=True, send_messages=True, read_message_history=True
            )
        rid = opened.request.id
        try:
            space = await guild.create_text_channel(
                f"support-{rid}",
                category=category if isinstance(category, discord.CategoryChannel) else None,
                overwrites=overwrites,
                topic=f"Private support space for request #{rid}: only you and the moderators.",
                reason="participation-bot: a support request",
            )
        except discord.HTTPException:
            log.exception("could not open a private space for support request %s", rid)
            return None
        await self.services.support.requests.set_private_space(rid, space.id)
        intro = (
            f"<@{member.id}> This is your private space with the moderators. Only you and the "
            f"moderation team can see it. Someone will be with you {opened.expected_response}."
        )
        if opened.message_to_forward:
            intro += f"\n\n**You wrote:**\n{opened.message_to_forward}"
        await space.send(
            clip(intro),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(member.id)]
            ),
        )
        return space

    @app_commands.command(
        name="support-queue",
        description="Open support requests, most urgent first",
        extras={"audience": "moderator"},
    )
    @app_commands.guild_only()
    async def support_queue(self, interaction: Interaction) -> None:
        """List open requests privately, by urgency then age."""
        page = await self.services.support.requests.queue(actor_for(interaction))
        embed = queue_embed(page, self.bot.settings.tz, self.services.clock.now())
        await reply(interaction, embed=embed, allowed_mentions=NO_PINGS)

    # ---- reports ---------------------------------------------------------------------------

    async def report(self, interaction: Interaction, message: discord.Message) -> None:
        """Raise a 'report' request with a link; thank the reporter privately."""
        guild = interaction.guild
        if guild is None:
            raise NotAllowed("Please report messages from inside the group's server.")
        member = guild.get_member(interaction.user.id)
        actor = actor_from_member(guild.id, member, interaction.user.id)
        bot_user = self.bot.user
        result = await self.services.support.flags.report_message(
            actor,
            channel_id=message.channel.id,
            message_id=message.id,
            link=message.jump_url,
            author_is_bot=bot_user is not None and message.author.id == bot_user.id,
            in_server=member is not None,
        )
        await reply(interaction, result.thanks)
        if result.created:
            await post_card(
                self.bot,
                result.request,
                result.queue_channel_id,
                result.moderator_role_id,
                result.ping_moderators,
            )

    # ---- safeguarding ----------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Check peer-support and support-space messages; never delete them."""
        await self._check(message)

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        """Check a message again when its words change."""
        if before.content != after.content:
            await self._check(after)

    async def _check(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or not message.content:
            return
        # The pattern check runs first: it costs microseconds and most messages stop here.
        if self.services.support.flags.check(message.content) is None:
            return
        author = message.author
        flagged = await self.services.support.flags.flag_message(
            message.guild.id,
            message.channel.id,
            message.id,
            author.id,
            message.jump_url,
            parent_id=getattr(message.channel, "parent_id", None),
            author_role_ids=frozenset(r.id for r in getattr(author, "roles", [])),
        )
        if flagged is None or not flagged.created:
            return
        results = await asyncio.gather(
            post_card(
                self.bot,
                flagged.request,
                flagged.queue_channel_id,
                flagged.moderator_role_id,
                flagged.ping_moderators,
            ),
            self._reach_author(message, flagged),
            return_exceptions=True,
        )
        for outcome in results:
            if isinstance(outcome, BaseException):
                log.error("safeguarding follow-up failed", exc_info=outcome)

    async def _reach_author(self, message: discord.Message, flagged: Flagged) -> None:
        """Give the author the crisis contacts privately: DM, else somewhere only they see."""
        if await dm(self.bot, message.author.id, flagged.author_message):
            return
        channel = message.channel
        guild = message.guild
        assert guild is not None
        record = await self.services.setup.current(guild.id)
        peer = record.channel_ids.get("peer_support") if record else None
        in_peer = peer is not None and peer in {channel.id, getattr(channel, "parent_id", None)}
        mention = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(message.author.id)]
        )
        text = clip(f"<@{message.author.id}> {flagged.author_message}")
        if not in_peer:
            # A private support space: only the author and staff can see a reply here.
            await message.reply(text, allowed_mentions=mention)
            return
        parent = (
            channel
            if isinstance(channel, discord.TextChannel)
            else getattr(channel, "parent", None)
        )
        if not isinstance(parent, discord.TextChannel):
            return
        thread = await parent.create_thread(
            name="A private check-in from the group's bot",
            type=discord.ChannelType.private_thread,
            invitable=False,
            reason="participation-bot: crisis contacts for someone whose DMs are closed",
        )
        await thread.add_user(message.author)
        await thread.send(text, allowed_mentions=mention)

    # ---- re-raise --------------------------------------------------------------------------

    async def on_raised(self, event: SupportRaised) -> None:
        """Raise an unclaimed request again in the queue, pinging the moderators."""
        channel = self.bot.get_channel(event.queue_channel_id) if event.queue_channel_id else None
        if not isinstance(channel, discord.TextChannel):
            log.error("no support-queue channel to re-raise request %s", event.request_id)
            return
        role = f"<@&{event.moderator_role_id}> " if event.moderator_role_id else ""
        link = (
            f"\nhttps://discord.com/channels/{event.guild_id}/{channel.id}/{event.card_message_id}"
            if event.card_message_id
            else ""
        )
        await channel.send(
            f"{role}Still waiting: support request #{event.request_id} "
            f"({URGENCIES.get(event.urgency, event.urgency)}) has not been picked up after "
            f"{_waited(event.waiting_minutes)}. Could someone claim it, please?{link}",
            allowed_mentions=discord.AllowedMentions(
                everyone=False,
                users=False,
                roles=[discord.Object(event.moderator_role_id)]
                if event.moderator_role_id
                else False,
            ),
        )
