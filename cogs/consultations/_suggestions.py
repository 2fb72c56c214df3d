"""Co-production in Discord: workers accept (as a question) or decline members' suggestions."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.services.consultations import SuggestionView
from bot.ui.actor import actor_for
from bot.ui.forms import unique
from bot.ui.replies import guarded, reply, send_dm
from cogs.consultations._render import esc
from cogs.consultations._views import IdButton, client_of


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


class AcceptSuggestion(IdButton, template=r"consult:sgok:(?P<sid>[0-9]+)"):
    """Accept a suggestion: the worker may reword it and choose its type."""

    def __init__(self, suggestion_id: int, row: int = 0, number: int = 1) -> None:
        super().__init__(
            f"consult:sgok:{suggestion_id}", f"Accept {number}", discord.ButtonStyle.success, row
        )
        self.suggestion_id = suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AcceptSuggestion:
        """Rebuild from the custom_id."""
        return cls(int(match["sid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the accept form with the suggestion's words filled in."""
        suggestions = client_of(interaction).services.consultations.suggestions
        suggestion = await suggestions.suggestion(actor_for(interaction), self.suggestion_id)
        await interaction.response.send_modal(AcceptModal(self.suggestion_id, suggestion.text))


class AcceptModal(discord.ui.Modal):
    """Turn a suggestion into a question."""

    def __init__(self, suggestion_id: int, text: str) -> None:
        super().__init__(
            title="Accept this question", custom_id=unique(f"consult:sgform:{suggestion_id}")
        )
        self.suggestion_id = suggestion_id
        self.wording: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Question", default=text[:300], max_length=300, custom_id="wording"
        )
        self.kind: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Type: single, multiple, scale or text",
            default="text",
            max_length=20,
            custom_id="kind",
        )
        self.options: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Options, one per line (choice questions only)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1100,
            custom_id="options",
        )
        for item in (self.wording, self.kind, self.options):
            self.add_item(item)

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Add the question and thank the member who suggested it (if they opted in)."""
        client = client_of(interaction)
        options = [o.strip(" -*•\t") for o in self.options.value.splitlines() if o.strip()]
        decision = await client.services.consultations.suggestions.accept_suggestion(
            actor_for(interaction),
            self.suggestion_id,
            kind=self.kind.value,
            options=options,
            text=self.wording.value,
        )
        position = decision.question.position if decision.question else "?"
        await reply(interaction, f"Accepted: it is now question {position}.")
        if decision.notify_user_id:
            await tell(
                client,
                decision.notify_user_id,
                f"Thank you! Your suggested question for **{esc(decision.consultation_title)}** "
                "has been added to the consultation.",
            )


class DeclineSuggestion(IdButton, template=r"consult:sgno:(?P<sid>[0-9]+)"):
    """Decline a suggestion."""

    def __init__(self, suggestion_id: int, row: int = 0, number: int = 1) -> None:
        super().__init__(
            f"consult:sgno:{suggestion_id}",
            f"Decline {number}",
            discord.ButtonStyle.secondary,
            row,
        )
        self.suggestion_id = suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeclineSuggestion:
        """Rebuild from the custom_id."""
        return cls(int(match["sid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Decline once; thank the member anyway (if they opted in)."""
        client = client_of(interaction)
        decision = await client.services.consultations.suggestions.decline_suggestion(
            actor_for(interaction), self.suggestion_id
        )
        await reply(interaction, "Declined.")
        if decision.notify_user_id:
            await tell(
                client,
                decision.notify_user_id,
                f"Thank you for suggesting a question for **{esc(decision.consultation_title)}**. "
                "This time it wasn't added, but your ideas help shape what we ask.",
            )


tell = send_dm


SUGGESTION_ITEMS = (AcceptSuggestion, DeclineSuggestion)
