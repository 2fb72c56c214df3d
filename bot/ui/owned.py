"""A private view: shown to one person, and only they can use it."""

from __future__ import annotations

import discord

from bot.ui.context import Interaction


class OwnedView(discord.ui.View):
    """A private, short-lived view only the person it was shown to can use."""

    def __init__(self, owner_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        """Only the person it was shown to can use it."""
        return interaction.user.id == self.owner_id
