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
        groups: list[tuple[discord.Guild, discord.Member]],
        topic: str,
        urgency: str,
        message: str | None,
    ) -> None:
        super().__init__(groups[0][1].id)
        self.cog = cog
        self.names = {guild.id: guild.name for guild, _member in groups}
        self.topic, self.urgency, self.message = topic, urgency, message
        self.pick: discord.ui.Select[GroupChoice] = discord.ui.Select(
            placeholder="Choose your group",
            custom_id="support:group",
            options=[
                discord.SelectOption(label=guild.name[:100] or "A group", value=str(guild.id))
                for guild, _member in groups[:25]
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
        guild, member = self.cog.membership_in(guild_id, interaction.user.id)
        message, self.message = self.message, None  # forget the words once they are passed on
        await self.cog.ask(interaction, guild, member, self.topic, self.urgency, message)
