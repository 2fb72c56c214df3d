"""A private yes/no question before something is done, for the person who asked only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.context import Interaction
from bot.ui.replies import guarded

Action = Callable[[Interaction], Awaitable[None]]


class Confirm(discord.ui.View):
    """Ask "are you sure?": `yes` does `action`; `no` changes nothing. Only the asker answers."""

    def __init__(self, owner_id: int, yes: str, no: str, action: Action) -> None:
        super().__init__(timeout=300)
        self.owner_id = owner_id
        self.action = action
        self.yes.label = yes
        self.no.label = no

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        """Only the person who asked can answer."""
        return interaction.user.id == self.owner_id

    @discord.ui.button(style=discord.ButtonStyle.danger, custom_id="confirm:yes")
    @guarded
    async def yes(self, interaction: Interaction, _: Any) -> None:
        """Do it."""
        self.stop()
        await self.action(interaction)

    @discord.ui.button(style=discord.ButtonStyle.secondary, custom_id="confirm:no")
    async def no(self, interaction: Interaction, _: Any) -> None:
        """Do nothing, and say so."""
        self.stop()
        await interaction.response.edit_message(content="OK — nothing has changed.", view=None)
