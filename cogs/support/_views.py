"""Queue-card buttons (persistent), the resolve steps, and posting to Discord for support."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.services.errors import Conflict
from bot.services.support import (
    NOTE_MAX,
    OUTCOMES,
    REASON_MAX,
    RequestView,
)
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentButton
from bot.ui.replies import reply
from cogs.support._private import PrivateView, optional_note
from cogs.support._render import card_embed

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)


def card_view(view: RequestView) -> discord.ui.View:
    """Return a card's persistent buttons (none once resolved)."""
    buttons = discord.ui.View(timeout=None)
    if view.status == "resolved":
        return buttons
    if view.claimed_by is None:
        buttons.add_item(ClaimButton(view.id))
    buttons.add_item(EscalateButton(view.id, "worker"))
    buttons.add_item(EscalateButton(view.id, "safeguarding"))
    buttons.add_item(ResolveButton(view.id))
    return buttons


async def redraw(client: ParticipationBot, view: RequestView, note: str | None = None) -> None:
    """Redraw a request's card wherever it is."""
    if not view.card_channel_id or not view.card_message_id:
        return
    channel = client.get_channel(view.card_channel_id)
    if not isinstance(channel, discord.TextChannel | discord.DMChannel):
        return
    try:
        await channel.get_partial_message(view.card_message_id).edit(
            embed=card_embed(view, client.settings.tz, note), view=card_view(view)
        )
    except discord.HTTPException:
        log.warning("could not redraw the card of support request %s", view.id)


class ClaimButton(PersistentButton, key="support:claim:{request_id}"):
    """Pick up a request; exactly one moderator wins."""

    def __init__(self, request_id: int) -> None:
        super().__init__(label="Claim", style=discord.ButtonStyle.success, request_id=request_id)
        self.request_id = request_id

    async def run(self, interaction: Interaction) -> None:
        """Claim, redraw the card, then tell the member someone has it."""
        client = interaction.client
        action = await client.services.support.staff.claim(actor_for(interaction), self.request_id)
        view = action.request
        on_card = interaction.message is not None and interaction.message.id == view.card_message_id
        if on_card:
            await interaction.response.edit_message(
                embed=card_embed(view, client.settings.tz), view=card_view(view)
            )
            return
        # Pressed on a "still waiting" reminder (or a fallback copy): take its buttons away
        # and bring the card itself up to date.
        await interaction.response.edit_message(view=None)
        await interaction.followup.send(
            f"You've picked up support request #{view.id}.", ephemeral=True
        )
        await redraw(client, view)


class EscalateButton(
    PersistentButton, key="support:escalate:{to:worker|safeguarding}:{request_id}"
):
    """Escalate to a worker or the safeguarding lead, with a short reason."""

    def __init__(self, request_id: int, to: str) -> None:
        safeguarding = to == "safeguarding"
        super().__init__(
            label="Escalate: safeguarding lead" if safeguarding else "Escalate: worker",
            style=discord.ButtonStyle.danger if safeguarding else discord.ButtonStyle.primary,
            request_id=request_id,
            to=to,
        )
        self.request_id = request_id
        self.to = to

    async def run(self, interaction: Interaction) -> None:
        """Check the presser may escalate, then ask for the reason."""
        await interaction.client.services.support.requests.get(
            actor_for(interaction), self.request_id
        )
        await interaction.response.send_modal(EscalateModal(self.request_id, self.to))


class EscalateModal(Form):
    """The short, staff-only reason for escalating."""

    reason: discord.ui.TextInput[EscalateModal] = discord.ui.TextInput(
        label="Why are you escalating? (staff only)",
        style=discord.TextStyle.paragraph,
        max_length=REASON_MAX,
        custom_id="support:escalate:reason",
        placeholder="A few words for the team. Please don't copy the member's own words here.",
    )

    def __init__(self, request_id: int, to: str) -> None:
        target = "the safeguarding lead" if to == "safeguarding" else "a worker"
        super().__init__(
            title=f"Escalate to {target}"[:45], custom_id=f"support:escalate-modal:{request_id}"
        )
        self.request_id = request_id
        self.to = to

    async def submit(self, interaction: Interaction) -> None:
        """Escalate, redraw the card, ping the role, tell the member if this picked it up."""
        client = interaction.client
        action = await client.services.support.staff.escalate(
            actor_for(interaction), self.request_id, self.to, self.reason.value
        )
        await reply(
            interaction, f"Escalated support request #{self.request_id}. The team has been told."
        )
        await redraw(client, action.request)


class ResolveButton(PersistentButton, key="support:resolve:{request_id}"):
    """Resolve with an outcome from the fixed list."""

    def __init__(self, request_id: int) -> None:
        super().__init__(label="Resolve", request_id=request_id)
        self.request_id = request_id

    async def run(self, interaction: Interaction) -> None:
        """Check the presser may resolve, then offer the outcomes privately."""
        view = await interaction.client.services.support.requests.get(
            actor_for(interaction), self.request_id
        )
        if view.status == "resolved":
            await reply(interaction, already_resolved(view))
            return
        await reply(
            interaction,
            f"How did support request #{self.request_id} end? Choose an outcome; you can add a "
            "short note next.",
            view=OutcomeView(interaction.user.id, self.request_id),
        )


class OutcomeView(PrivateView):
    """A private select of outcomes for the moderator who pressed Resolve; then a note."""

    def __init__(self, owner_id: int, request_id: int) -> None:
        super().__init__(owner_id)
        self.request_id = request_id
        choice: discord.ui.Select[OutcomeView] = self.choose
        choice.custom_id = f"support:outcome:{request_id}"

    @discord.ui.select(
        placeholder="Choose an outcome",
        options=[discord.SelectOption(label=label, value=key) for key, label in OUTCOMES.items()],
    )
    async def choose(
        self, interaction: Interaction, select: discord.ui.Select[OutcomeView]
    ) -> None:
        """Open the optional note for the chosen outcome, unless it was resolved meanwhile."""
        view = await interaction.client.services.support.requests.get(
            actor_for(interaction), self.request_id
        )
        if view.status == "resolved":
            # A second copy of this select (Resolve pressed twice): nothing is left to choose.
            self.stop()
            await interaction.response.edit_message(content=already_resolved(view), view=None)
            return
        await interaction.response.send_modal(ResolveModal(self.request_id, select.values[0]))


def already_resolved(view: RequestView) -> str:
    """Return the kind note that a request was resolved already, and by whom."""
    by = f" by <@{view.resolved_by}>" if view.resolved_by else ""
    outcome = f" ({view.outcome_label})" if view.outcome_label else ""
    return (
        f"Support request #{view.id} has already been resolved{by}{outcome}, so there's "
        "nothing more to do here. Thank you."
    )


class ResolveModal(Form):
    """An optional short staff note, then the request is resolved."""

    note: discord.ui.TextInput[ResolveModal] = optional_note(
        "A short note for the team (optional)",
        NOTE_MAX,
        "support:resolve:note",
        "No need to write what the member said.",
    )

    def __init__(self, request_id: int, outcome: str) -> None:
        super().__init__(
            title="Resolve support request", custom_id=f"support:resolve-modal:{request_id}"
        )
        self.request_id = request_id
        self.outcome = outcome

    async def submit(self, interaction: Interaction) -> None:
        """Resolve once, redraw the card and tell the member."""
        client = interaction.client
        actor = actor_for(interaction)
        try:
            action = await client.services.support.staff.resolve(
                actor, self.request_id, self.outcome, self.note.value or None
            )
        except Conflict:
            # Two copies of the outcome select, both sent: the second is told kindly.
            view = await client.services.support.requests.get(actor, self.request_id)
            if view.status != "resolved" or interaction.message is None:
                raise
            await interaction.response.edit_message(content=already_resolved(view), view=None)
            return
        done = f"Resolved support request #{self.request_id}: {action.request.outcome_label}."
        if interaction.message is not None:
            # Take the outcome select away with the answer: it has done its job.
            await interaction.response.edit_message(content=done, view=None)
        else:
            await reply(interaction, done)
        await redraw(client, action.request)
