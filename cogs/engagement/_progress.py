"""/progress, /levels, /training and /mentor, and the once-per-level notice."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands

from bot.ui.actor import actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.owned import OwnedView
from bot.ui.replies import guarded, reply
from cogs.engagement._deliveries import EngagementSenders
from cogs.engagement._render import progress_embed
from cogs.engagement._views import (
    DYNAMIC_ITEMS,
    MEMBER,
    notice_view,
    reply_list,
    withdraw_view,
)


class StepDownView(OwnedView):
    """Confirm stepping down a level."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(owner_id, timeout=300)

    @discord.ui.button(
        label="Yes, step down", style=discord.ButtonStyle.danger, custom_id="eng:stepdown:yes"
    )
    @guarded
    async def yes(self, interaction: Interaction, _: discord.ui.Button[StepDownView]) -> None:
        """Step down one level and swap the roles."""
        self.stop()
        move = await interaction.client.services.engagement.moves.step_down(actor_for(interaction))
        # The level role swap is owed to the outbox with the move, so it survives Discord errors.
        await interaction.response.edit_message(content=move.text, view=None)

    @discord.ui.button(
        label="No, stay", style=discord.ButtonStyle.secondary, custom_id="eng:stepdown:no"
    )
    async def no(self, interaction: Interaction, _: discord.ui.Button[StepDownView]) -> None:
        """Do nothing."""
        self.stop()
        await interaction.response.edit_message(content="OK: nothing has changed.", view=None)


class EngagementCog(FeatureCog):
    """Progress and levels, training and mentoring."""

    levels = app_commands.Group(name="levels", description="Engagement levels")
    training = app_commands.Group(name="training", description="Training modules")
    mentor = app_commands.Group(name="mentor", description="Mentoring")

    async def cog_load(self) -> None:
        """Keep notice, move and claim buttons working after restarts; send what is owed."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        EngagementSenders(self.bot).register()

    @app_commands.command(
        name="progress",
        description="Your level, what you've contributed and what the next level needs",
        extras=MEMBER,
    )
    async def progress(self, interaction: Interaction) -> None:
        """Show the member their progress with a chart, privately."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.services.engagement.progress.progress(actor_for(interaction))
        embed = progress_embed(view)
        kwargs: dict[str, Any] = {"embed": embed}
        if view.chart_png:
            embed.set_image(url="attachment://progress.png")
            kwargs["file"] = discord.File(
                io.BytesIO(view.chart_png), filename="progress.png", description=view.chart_alt
            )
        if view.open_notice_id and view.move_waiting:
            kwargs["view"] = withdraw_view(view.open_notice_id)
        elif view.next_met and view.open_notice_id:
            kwargs["view"] = notice_view(view.open_notice_id)
        await interaction.followup.send(ephemeral=True, **kwargs)

    @command(levels, "eligible", "Members who meet their next level (workers)", "worker")
    async def eligible(self, interaction: Interaction) -> None:
        """List who meets their next level and where each one stands."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self.services.engagement.moves.eligible(actor_for(interaction))
        lines = [
            f"• **{discord.utils.escape_markdown(v.preferred_name)}** (<@{v.user_id}>): "
            f"{v.current_level_name} → {v.next_level_name}: {v.state_text}"
            for v in found
        ]
        await reply_list(
            interaction,
            lines,
            "Nobody is waiting to move up at the moment.",
            "Members who meet their next level:\n",
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @command(levels, "step-down", "Move down one level", "member")
    async def step_down(self, interaction: Interaction) -> None:
        """Ask for confirmation, then step down."""
        view = await self.services.engagement.progress.progress(actor_for(interaction), chart=False)
        if view.level_number == 1:
            await reply(interaction, f"You are at the first level, {view.level_name}.")
            return
        await reply(
            interaction,
            f"Step down from {view.level_name}? That's completely fine; you can move up "
            "again when you are ready.",
            view=StepDownView(interaction.user.id),
        )

    async def _modules(self, it: Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.casefold()
        return [
            app_commands.Choice(name=name[:100], value=key)
            for key, name in self.services.engagement.training.modules(it.guild_id)
            if needle in name.casefold()
        ][:25]

    @command(
        training,
        "record",
        "Record a training module a member completed (workers)",
        "worker",
        member="Who completed it",
        module="Which module",
    )
    @app_commands.autocomplete(module=_modules)
    async def training_record(
        self, interaction: Interaction, member: discord.User, module: str
    ) -> None:
        """Record a completed module."""
        done = await self.services.engagement.training.record(
            actor_for(interaction), member.id, module
        )
        await reply(interaction, f"Recorded “{done.module_name}” for <@{done.user_id}>.")

    @command(
        mentor,
        "request",
        "Ask for a mentor",
        "member",
        note="What you'd like help with (optional)",
    )
    async def mentor_request(
        self, interaction: Interaction, note: app_commands.Range[str, None, 500] | None = None
    ) -> None:
        """Ask for a mentor; workers are told in the worker log (owed with the request)."""
        await self.services.engagement.training.request_mentor(actor_for(interaction), note)
        await reply(
            interaction,
            "Thanks: a worker will find you a mentor, and you'll get a message when they have.",
        )

    @command(mentor, "requests", "Mentoring requests waiting (workers)", "worker")
    async def mentor_requests(self, interaction: Interaction) -> None:
        """List waiting requests."""
        waiting = await self.services.engagement.training.open_requests(actor_for(interaction))
        lines = [
            f"• Request {r.id}: **{discord.utils.escape_markdown(r.preferred_name)}** "
            f"(<@{r.user_id}>, {r.level_name})" + (f": {r.note[:200]}" if r.note else "")
            for r in waiting
        ]
        await reply_list(
            interaction,
            lines,
            "No mentoring requests are waiting.",
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @command(
        mentor,
        "pair",
        "Pair a member with a mentor at a higher level (workers)",
        "worker",
        request="The request number",
        mentor="Who will mentor them",
    )
    async def mentor_pair(
        self, interaction: Interaction, request: app_commands.Range[int, 1], mentor: discord.User
    ) -> None:
        """Pair them; both are told (owed with the pairing)."""
        pairing = await self.services.engagement.training.pair(
            actor_for(interaction), request, mentor.id
        )
        text = f"Paired. <@{pairing.mentee_user_id}> is being sent a message"
        text += (
            f", and so is <@{pairing.mentor_user_id}>."
            if pairing.mentor_told
            else f". <@{pairing.mentor_user_id}> has turned off messages from the bot, so "
            "please tell them yourself."
        )
        await reply(interaction, text, allowed_mentions=discord.AllowedMentions.none())
