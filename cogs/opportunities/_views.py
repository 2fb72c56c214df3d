"""The persistent "I'm interested" button, and the way to take it back."""

from __future__ import annotations

from typing import Any

import discord

from bot.services.opportunities import OpportunityView
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import PersistentButton
from bot.ui.replies import reply
from cogs.opportunities._render import esc, last_day


def interest_view(view: OpportunityView) -> discord.ui.View:
    """Return the announcement's button: "I'm interested", or a greyed "Closed"."""
    buttons = discord.ui.View(timeout=None)
    if view.closed:
        buttons.add_item(ClosedButton(view.id))
    else:
        buttons.add_item(InterestedButton(view.id))
    return buttons


class InterestedButton(PersistentButton, key="opp:interested:{opportunity_id}"):
    """Put yourself forward for an opportunity."""

    def __init__(self, opportunity_id: int, label: str = "I'm interested") -> None:
        super().__init__(
            label=label[:80],
            style=discord.ButtonStyle.success,
            emoji="🙋",
            opportunity_id=opportunity_id,
        )
        self.opportunity_id = opportunity_id

    async def run(self, interaction: Interaction) -> None:
        """Record the interest, or say kindly that it already is and offer to take it back."""
        client = interaction.client
        receipt = await client.services.opportunities.interest(
            actor_for(interaction), self.opportunity_id
        )
        title = esc(receipt.opportunity.title)
        if receipt.already:
            buttons = discord.ui.View(timeout=None)
            buttons.add_item(WithdrawButton(opportunity_id=self.opportunity_id))
            await reply(
                interaction,
                f"You've already said you're interested in **{title}** — thank you! "
                "A worker will be in touch. If you've changed your mind, that's fine: "
                "you can take it back below.",
                view=buttons,
            )
            return
        until = last_day(receipt.opportunity, client.settings.tz)
        await reply(
            interaction,
            f"✅ Thank you! You've said you're interested in **{title}**. This doesn't commit "
            "you to anything: a worker will be in touch, and can talk through any adjustments "
            f"you need. Interest closes at the end of {until}.",
        )


class WithdrawButton(PersistentButton, key="opp:withdraw:{opportunity_id}"):
    """Take back your interest in an opportunity."""

    label_text = "Take back my interest"
    opportunity_id: int

    async def run(self, interaction: Interaction) -> None:
        """Remove the interest and confirm privately."""
        view = await interaction.client.services.opportunities.withdraw(
            actor_for(interaction), self.opportunity_id
        )
        await reply(
            interaction,
            f"Done: you're no longer down as interested in **{esc(view.title)}**. "
            "No problem at all — there will be other opportunities.",
        )


class ClosedButton(PersistentButton, key="opp:closed:{opportunity_id}"):
    """The greyed-out button on a closed opportunity."""

    def __init__(self, opportunity_id: int, **_: Any) -> None:
        super().__init__(
            label="Closed to new interest", disabled=True, opportunity_id=opportunity_id
        )

    async def run(self, interaction: Interaction) -> None:
        """Say it has closed (Discord normally stops the click first)."""
        await reply(
            interaction,
            "This opportunity has closed. See the open ones with /opportunities.",
        )
