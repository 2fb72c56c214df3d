"""Forms workers fill in: the draft, one question, and "you said, we did"."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.services.consultations import DraftForm
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form
from bot.ui.replies import reply
from cogs.consultations._publish import publish_feedback
from cogs.consultations._render import people, summary_embed

TEXT_MAX = 1000


def _long(label: str) -> discord.ui.TextInput[Form]:
    return discord.ui.TextInput(label=label, style=discord.TextStyle.paragraph, max_length=TEXT_MAX)


class DraftModal(Form):
    """The five long answers a draft needs."""

    name: discord.ui.TextInput[Form] = discord.ui.TextInput(label="Title", max_length=100)
    purpose = _long("Why we are asking")
    outcomes = _long("What we hope will come of it")
    can_change = _long("What can change")
    cannot_change = _long("What can't change (and why)")

    def __init__(
        self, deadline: datetime, review: datetime | None, audience: str, anonymous: bool
    ) -> None:
        super().__init__(title="Draft a consultation", custom_id="consult:draftform")
        self.deadline = deadline
        self.review = review
        self.audience = audience
        self.anonymous = anonymous

    async def submit(self, interaction: Interaction) -> None:
        """Create the draft and say what to do next."""
        client = interaction.client
        form = DraftForm(
            title=self.name.value,
            purpose=self.purpose.value,
            outcomes=self.outcomes.value,
            can_change=self.can_change.value,
            cannot_change=self.cannot_change.value,
            deadline=self.deadline,
            review_date=self.review,
            audience=self.audience,
            anonymous=self.anonymous,
        )
        view = await client.services.consultations.drafting.draft(actor_for(interaction), form)
        await reply(
            interaction,
            f"Draft #{view.id} saved. Next: add questions with `/consult question` or "
            "`/consult upload`; members can suggest questions with `/consult suggest` while it "
            "is a draft; then `/consult open`.",
            embed=summary_embed(view, client.settings.tz, f"Draft: {view.title}"),
        )


class QuestionModal(Form):
    """One question, with options for choice questions."""

    text: discord.ui.TextInput[Form] = discord.ui.TextInput(
        label="Question", style=discord.TextStyle.paragraph, max_length=300
    )
    options: discord.ui.TextInput[Form] = discord.ui.TextInput(
        label="Options, one per line (choice questions)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=1100,
    )

    def __init__(self, consultation_id: int, kind: str) -> None:
        super().__init__(title="Add a question", custom_id=f"consult:qform:{consultation_id}")
        self.consultation_id = consultation_id
        self.kind = kind

    async def submit(self, interaction: Interaction) -> None:
        """Add the question at the end."""
        client = interaction.client
        options = [o.strip(" -*•\t") for o in self.options.value.splitlines() if o.strip()]
        question = await client.services.consultations.questions.add_question(
            actor_for(interaction), self.consultation_id, self.kind, self.text.value, options
        )
        await reply(interaction, f"Added as question {question.position}.")


class FeedbackModal(Form):
    """The three parts of the feedback, each required."""

    said = _long("You said")
    did = _long("We did")
    could_not = _long("What we couldn't do, and why")

    def __init__(self, consultation_id: int) -> None:
        super().__init__(title="You said, we did", custom_id=f"consult:fbform:{consultation_id}")
        self.consultation_id = consultation_id

    async def submit(self, interaction: Interaction) -> None:
        """Publish once, answer, then post and DM."""
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
        await publish_feedback(client, published)
