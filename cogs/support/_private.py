"""What support shows one person privately: a view only they can use, and optional notes."""

from __future__ import annotations

from typing import Any

import discord

from bot.ui.context import Interaction
from bot.ui.owned import OwnedView
from bot.ui.replies import report_error


class PrivateView(OwnedView):
    """A private step for one person (for ten minutes); any error is answered privately."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(owner_id, timeout=600)

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Answer any error privately, with the crisis contacts where the service gives them."""
        await report_error(interaction, error)


def optional_note(label: str, limit: int, custom_id: str, hint: str) -> discord.ui.TextInput[Any]:
    """Return a form's optional paragraph of up to `limit` characters."""
    return discord.ui.TextInput(
        label=label,
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=limit,
        custom_id=custom_id,
        placeholder=hint,
    )
