"""The "you said, we did" form (the draft and question forms are in `_guide.py`)."""

from __future__ import annotations

import discord

from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentForm
from bot.ui.replies import reply
from cogs.consultations._render import people

TEXT_MAX = 1000


def _long(label: str, custom_id: str | None = None) -> discord.ui.TextInput[Form]:
    # A form that survives a restart needs stable input ids to read what was typed back.
    return discord.ui.TextInput(
        label=label,
        style=discord.TextStyle.paragraph,
        max_length=TEXT_MAX,
        custom_id=custom_id or discord.utils.MISSING,
    )


class FeedbackModal(PersistentForm, key="consult:fbform:{consultation_id}"):
    """The three parts of the feedback, each required (saved even after a restart)."""

    said = _long("You said", "said")
    did = _long("We did", "did")
    could_not = _long("What we couldn't do, and why", "could_not")

    def __init__(self, consultation_id: int) -> None:
        super().__init__(title="You said, we did", consultation_id=consultation_id)
        self.consultation_id = consultation_id

    async def submit(self, interaction: Interaction) -> None:
        """Publish once and answer; the post and DMs go out through the outbox."""
        client = interaction.client
        published = await client.services.consultations.feedback.publish(
            actor_for(interaction),
            self.consultation_id,
            self.said.value,
            self.did.value,
            self.could_not.value,
        )
        await reply(
            interaction,
            f"Published in announcements, {published.feedback.days_to_feedback} days after "
            f"closing. Sending it to {people(len(published.dm_user_ids))} who took part and "
            "asked for DMs.",
        )
