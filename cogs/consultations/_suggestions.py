"""Co-production in Discord: workers accept (as a question) or decline members' suggestions."""

from __future__ import annotations

import discord

from bot.services.consultations import SuggestionView
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import PersistentButton, PersistentForm
from bot.ui.replies import reply
from cogs.consultations._render import esc


def suggestion_view(suggestions: list[SuggestionView]) -> discord.ui.View:
    """Return Accept/Decline buttons for up to five suggestions, one row each."""
    view = discord.ui.View(timeout=None)
    for row, suggestion in enumerate(suggestions[:5]):
        view.add_item(AcceptSuggestion(suggestion.id, row, row + 1))
        view.add_item(DeclineSuggestion(suggestion.id, row, row + 1))
    return view


def suggestion_lines(suggestions: list[SuggestionView]) -> str:
    """Return the numbered suggestions, with who suggested them."""
    return "\n".join(
        f"**{n}.** {esc(s.text)} — _{esc(s.suggested_by or 'a former member')}_"
        for n, s in enumerate(suggestions[:5], start=1)
    )


class _DecideButton(PersistentButton, template=r"consult:never"):
    """Accept or decline suggestion N of the list (one row of buttons per suggestion)."""

    verb, button_style = "", discord.ButtonStyle.secondary

    def __init__(self, suggestion_id: int, row: int = 0, number: int = 1) -> None:
        super().__init__(
            label=f"{self.verb} {number}",
            style=self.button_style,
            row=row,
            suggestion_id=suggestion_id,
        )
        self.suggestion_id = suggestion_id


class AcceptSuggestion(_DecideButton, key="consult:sgok:{suggestion_id}"):
    """Accept a suggestion: the worker may reword it and choose its type."""

    verb, button_style = "Accept", discord.ButtonStyle.success

    async def run(self, interaction: Interaction) -> None:
        """Open the accept form with the suggestion's words filled in."""
        suggestions = interaction.client.services.consultations.suggestions
        suggestion = await suggestions.suggestion(actor_for(interaction), self.suggestion_id)
        await interaction.response.send_modal(AcceptModal(self.suggestion_id, suggestion.text))


class AcceptModal(PersistentForm, key="consult:sgform:{suggestion_id}"):
    """Turn a suggestion into a question (saved even if the bot restarted meanwhile)."""

    def __init__(self, suggestion_id: int, text: str = "") -> None:
        super().__init__(title="Accept this question", suggestion_id=suggestion_id)
        self.suggestion_id = suggestion_id
        self.wording: discord.ui.TextInput[AcceptModal] = discord.ui.TextInput(
            label="Question", default=text[:300], max_length=300, custom_id="wording"
        )
        self.kind: discord.ui.TextInput[AcceptModal] = discord.ui.TextInput(
            label="Type: single, multiple, scale or text",
            default="text",
            max_length=20,
            custom_id="kind",
        )
        self.options: discord.ui.TextInput[AcceptModal] = discord.ui.TextInput(
            label="Options, one per line (choice questions only)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1100,
            custom_id="options",
        )
        for item in (self.wording, self.kind, self.options):
            self.add_item(item)

    async def submit(self, interaction: Interaction) -> None:
        """Add the question and thank the member who suggested it (if they opted in)."""
        client = interaction.client
        options = [o.strip(" -*•\t") for o in self.options.value.splitlines() if o.strip()]
        decision = await client.services.consultations.suggestions.accept_suggestion(
            actor_for(interaction),
            self.suggestion_id,
            kind=self.kind.value,
            options=options,
            text=self.wording.value,
        )
        position = decision.question.position if decision.question else "?"
        # The member's thank-you DM (if they opted in) is owed through the outbox.
        await reply(interaction, f"Accepted: it is now question {position}.")


class DeclineSuggestion(_DecideButton, key="consult:sgno:{suggestion_id}"):
    """Decline a suggestion."""

    verb = "Decline"

    async def run(self, interaction: Interaction) -> None:
        """Decline once; the member is thanked anyway (by DM through the outbox, if opted in)."""
        await interaction.client.services.consultations.suggestions.decline_suggestion(
            actor_for(interaction), self.suggestion_id
        )
        await reply(interaction, "Declined.")


SUGGESTION_ITEMS = (AcceptSuggestion, DeclineSuggestion)
