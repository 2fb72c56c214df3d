"""Asking which group, when someone in several servers with the bot uses /support in a DM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.ui.context import Interaction
from cogs.support._private import PrivateView

if TYPE_CHECKING:
    from cogs.support._cog import SupportCog


class GroupChoice(PrivateView):
    """A private select of the person's groups; nothing is sent anywhere until they choose.

    What they wrote stays in this view (in memory) until then and is never stored: if the bot
    restarts first, the choice expires and they are asked to try again.
    """

    QUESTION = (
        "You're in more than one group with me. Which group's moderators should get your "
        "request? Nothing is sent anywhere until you choose."
    )

    def __init__(
        self,
        cog: SupportCog,
        user_id: int,
        groups: list[tuple[int, str]],
        topic: str,
        urgency: str,
    ) -> None:
        super().__init__(user_id)
        self.cog = cog
        self.names = dict(groups)
        self.topic, self.urgency = topic, urgency
        self.message: str | None = None
        self.pick: discord.ui.Select[GroupChoice] = discord.ui.Select(
            placeholder="Choose your group",
            custom_id="support:group",
            options=[
                discord.SelectOption(label=name[:100] or "A group", value=str(guild_id))
                for guild_id, name in groups[:25]
            ],
        )
        self.pick.callback = self.chosen  # type: ignore[method-assign,assignment]
        self.add_item(self.pick)

    async def chosen(self, interaction: Interaction) -> None:
        """Send the request to the chosen group, as /support in that server would."""
        self.stop()
        guild_id = int(self.pick.values[0])
        name = discord.utils.escape_markdown(self.names.get(guild_id, "that group"))
        await interaction.response.edit_message(
            content=f"Sending your request to the moderators of **{name}**…", view=None
        )
        message, self.message = self.message, None  # forget the words once they are passed on
        await self.cog.ask_in(interaction, guild_id, self.topic, self.urgency, message)
