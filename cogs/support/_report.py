"""Reporting a message: a short form for why (optional), shown to the moderators, never stored."""

from __future__ import annotations

import logging

import discord

from bot.services.errors import NotAllowed
from bot.services.support import REPORT_REASON_MAX, Reported
from bot.ui.actor import actor_from_member
from bot.ui.context import Interaction
from bot.ui.persistent import PersistentForm
from bot.ui.replies import clip, reply
from cogs.support._private import optional_note
from cogs.support._render import safe

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
PASSED_ON = " I've passed on what you said about why."
NOT_PASSED_ON = (
    " I couldn't pass on what you said about why just now. If it matters, please tell the "
    "moderators with /support."
)


class ReportForm(PersistentForm, key="support:report:{channel_id}:{message_id}"):
    """Why someone is reporting a message (optional); sending it raises the report.

    The form is persistent: a reason typed while the bot restarts still arrives.
    """

    reason: discord.ui.TextInput[ReportForm] = optional_note(
        "Why are you reporting it? (optional)",
        REPORT_REASON_MAX,
        "support:report:reason",
        "A few words help the moderators, e.g. it's unkind, or someone may be at risk.",
    )

    def __init__(self, channel_id: int, message_id: int) -> None:
        super().__init__(
            title="Report this message to the moderators",
            channel_id=channel_id,
            message_id=message_id,
        )
        self.channel_id = channel_id
        self.message_id = message_id

    async def submit(self, interaction: Interaction) -> None:
        """Raise the report, show the reason to the moderators, and thank the reporter."""
        guild = interaction.guild
        if guild is None:
            raise NotAllowed("Please report messages from inside the group's server.")
        member = guild.get_member(interaction.user.id)
        support = interaction.client.services.support
        result = await support.flags.report_message(
            actor_from_member(guild.id, member, interaction.user.id),
            channel_id=self.channel_id,
            message_id=self.message_id,
            link=f"https://discord.com/channels/{guild.id}/{self.channel_id}/{self.message_id}",
            # The bot's own messages were turned away before the form opened.
            author_is_bot=False,
            in_server=member is not None,
        )
        why = (self.reason.value or "").strip()
        thanks = result.thanks
        if why:
            shown = await show_reason(interaction, guild, result, why)
            thanks += PASSED_ON if shown else NOT_PASSED_ON
        await reply(interaction, thanks)


async def show_reason(
    interaction: Interaction, guild: discord.Guild, result: Reported, why: str
) -> bool:
    """Post the reporter's reason beside the card in the queue; remember only where."""
    channel = guild.get_channel(result.queue_channel_id or 0)
    if not isinstance(channel, discord.TextChannel):
        return False
    view = result.request
    text = f"Reported message #{view.id}: the person who reported it said why:\n{safe(why)}" + (
        f"\n{view.message_link}" if view.message_link else ""
    )
    try:
        message = await channel.send(clip(text), allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not show the reason for report %s", view.id)
        return False
    # Where, never what: erasure of the reporter can find and remove this post.
    await interaction.client.services.support.owed.record_words(
        guild.id, view.id, None, (channel.id, message.id)
    )
    return True
