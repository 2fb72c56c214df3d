"""/opportunity post, interested and select (workers), and /opportunities (everyone)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.services.opportunities import KINDS, OpportunityClosed, OpportunityDraft
from bot.ui.actor import actor_for
from bot.ui.choices import AUDIENCE_OPTION, audiences, numbered, parse_audience
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from cogs.opportunities._deliveries import OpportunitySenders
from cogs.opportunities._render import esc, interested_text, last_day, open_list_embed
from cogs.opportunities._views import ClosedButton, InterestedButton, WithdrawButton

log = logging.getLogger(__name__)
KIND_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in KINDS.items()]
MAX_BUTTONS = 5


async def opportunity_choices(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """Offer the recent opportunities, the closed ones marked so."""
    found = await interaction.client.services.opportunities.recent(actor_for(interaction))
    return numbered(current, ((o.id, o.title, "" if o.is_open else " (closed)") for o in found))


class OpportunitiesCog(FeatureCog):
    """Opportunities through Discord: thin glue over the opportunities service."""

    opportunity = app_commands.Group(
        name="opportunity", description="Post opportunities and choose who takes part"
    )

    async def cog_load(self) -> None:
        """Make the buttons work after a restart; send what opportunities owe."""
        self.bot.add_dynamic_items(InterestedButton, WithdrawButton, ClosedButton)
        OpportunitySenders(self.bot).register()
        self.bot.scheduler.on(OpportunityClosed, self.closed)

    async def closed(self, event: OpportunityClosed) -> None:
        """Note a close; the announcement's redraw was owed with it and goes out by itself."""
        log.info("opportunity %s closed with %s interested", event.opportunity_id, event.interested)

    # ---- commands ----------------------------------------------------------------------------

    @command(
        opportunity,
        "post",
        "Post an opportunity (panel, training, project, event) to announcements",
        kind="What kind of opportunity it is",
        title="A short title (up to 100 characters)",
        involves="What it involves: what people will do, where, and for how long",
        date="The day it happens, UK date like '14 Jan' or '2027-01-14' (interest closes then)",
        payment="What is paid and what expenses can be claimed, e.g. '£15 an hour plus travel'",
        audience=AUDIENCE_OPTION,
        suits="Who it suits, in your words (needed if it is for everyone)",
        hours="Roughly how many hours it takes (recorded when someone is selected)",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(audience=audiences)
    async def post(
        self,
        interaction: Interaction,
        kind: str,
        title: app_commands.Range[str, 1, 100],
        involves: app_commands.Range[str, 1, 1000],
        date: app_commands.Range[str, 1, 60],
        payment: app_commands.Range[str, 1, 300],
        audience: str | None = None,
        suits: app_commands.Range[str, 1, 200] | None = None,
        hours: app_commands.Range[str, 1, 10] | None = None,
    ) -> None:
        """Check and post an opportunity; refused without pay, who it suits or a date."""
        audience_kind, audience_value = parse_audience(
            self.settings_for(interaction.guild_id), audience
        )
        view = await self.services.opportunities.post(
            actor_for(interaction),
            OpportunityDraft(
                kind=kind,
                title=title,
                involves=involves,
                date=date,
                payment=payment,
                audience_kind=audience_kind,
                audience_value=audience_value,
                suits=suits,
                hours=hours,
            ),
        )
        await reply(
            interaction,
            f"Your opportunity **{esc(view.title)}** is being posted in <#{view.channel_id}> "
            f"with an “I'm interested” button. Interest closes at the end of "
            f"{last_day(view, self.settings.tz)}. See who is interested with "
            "`/opportunity interested`.",
        )

    @command(
        opportunity,
        "interested",
        "See who is interested, with their adjustments (workers only)",
        opportunity="The opportunity",
    )
    @app_commands.autocomplete(opportunity=opportunity_choices)
    async def interested(self, interaction: Interaction, opportunity: int) -> None:
        """Show privately who is interested and what adjustments they need."""
        view, people = await self.services.opportunities.interested(
            actor_for(interaction), opportunity
        )
        await reply(
            interaction,
            interested_text(view, people, self.settings_for(interaction.guild_id)),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @command(
        opportunity,
        "select",
        "Select someone who is interested: records their contribution and tells them",
        opportunity="The opportunity",
        person="The member you selected",
    )
    @app_commands.autocomplete(opportunity=opportunity_choices)
    async def select(
        self, interaction: Interaction, opportunity: int, person: discord.User
    ) -> None:
        """Select a member (once), recording their contribution and DMing them if they opted in."""
        chosen = await self.services.opportunities.select(
            actor_for(interaction), opportunity, person.id
        )
        told = (
            "They'll get a DM to say so."
            if chosen.told_by_dm
            else "They haven't opted in to DMs, so please let them know yourself."
        )
        await reply(
            interaction,
            f"✅ **{esc(chosen.name)}** is selected for **{esc(chosen.opportunity.title)}**, "
            f"and their contribution is recorded. {told}",
        )

    @command(
        None,
        "opportunities",
        "See the open opportunities you can put yourself forward for",
        "member",
    )
    async def opportunities(self, interaction: Interaction) -> None:
        """List open opportunities privately, with an "I'm interested" button for each."""
        found = await self.services.opportunities.open_for(actor_for(interaction))
        if not found:
            await reply(
                interaction,
                "There are no open opportunities for you right now. New ones are posted in "
                "announcements and in the monthly bulletin.",
            )
            return
        buttons = discord.ui.View(timeout=None)
        for item in [i for i in found if not i.interested][:MAX_BUTTONS]:
            label = f"I'm interested: {item.opportunity.title}"
            buttons.add_item(InterestedButton(item.opportunity.id, clip(label, 80)))
        await reply(
            interaction,
            "Here's what's open. Press a button to say you're interested — it doesn't commit "
            "you to anything.",
            embed=open_list_embed(found, self.settings_for(interaction.guild_id)),
            view=buttons,
        )
