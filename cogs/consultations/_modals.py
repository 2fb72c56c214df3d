"""Forms workers fill in: the draft, one question, and "you said, we did"."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.services.consultations import DraftForm
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentForm
from bot.ui.replies import reply
from cogs.consultations._render import people, summary_embed

TEXT_MAX = 1000
TITLE = "Draft a consultation"
# An audience in its one-string form: everyone, locality:<area> or level:<level>.
AUDIENCE = "everyone|(?:locality|level):[^:]+"
# Discord allows 100 characters; the form adds ":" and 8 hex digits.
LONGEST_KEY = 91


def _seconds(when: datetime | int | None) -> int:
    if when is None:
        return 0
    return int(when.timestamp()) if isinstance(when, datetime) else int(when)


def _when(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _long(label: str, custom_id: str | None = None) -> discord.ui.TextInput[Form]:
    # A form that survives a restart needs stable input ids to read what was typed back.
    return discord.ui.TextInput(
        label=label,
        style=discord.TextStyle.paragraph,
        max_length=TEXT_MAX,
        custom_id=custom_id or discord.utils.MISSING,
    )


class DraftModal(
    PersistentForm,
    key="consult:draftform:{deadline}:{review}:{anonymous:[01]}:{audience:" + AUDIENCE + "}",
):
    """The five long answers a draft needs; the checked choices ride in the custom id.

    So a draft typed while the bot restarted is still saved: the deadline and review date as
    Unix seconds (0: no review date), anonymity, and the audience in its one-string form.
    """

    name: discord.ui.TextInput[Form] = discord.ui.TextInput(
        label="Title", max_length=100, custom_id="title"
    )
    purpose = _long("Why we are asking", "purpose")
    outcomes = _long("What we hope will come of it", "outcomes")
    can_change = _long("What can change", "can_change")
    cannot_change = _long("What can't change (and why)", "cannot_change")

    def __init__(
        self,
        deadline: datetime | int,
        review: datetime | int | None,
        audience: str,
        anonymous: bool | str,
    ) -> None:
        seconds, review_seconds = _seconds(deadline), _seconds(review)
        anonymity = int(anonymous in (True, "1"))
        custom_id = f"consult:draftform:{seconds}:{review_seconds}:{anonymity}:{audience}"
        if len(custom_id) > LONGEST_KEY:
            # A very long area name: this form can't carry it, so it works as before (no
            # restart-proofing) rather than not at all.
            Form.__init__(self, title=TITLE, custom_id="consult:draftform")
        else:
            super().__init__(
                title=TITLE,
                deadline=seconds,
                review=review_seconds,
                anonymous=anonymity,
                audience=audience,
            )
        self.deadline = _when(seconds)
        self.review = _when(review_seconds) if review_seconds else None
        self.audience = audience
        self.anonymous = bool(anonymity)

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


class QuestionModal(
    PersistentForm, key="consult:qform:{consultation_id}:{kind:single|multiple|scale|text}"
):
    """One question, with options for choice questions (saved even after a restart)."""

    text: discord.ui.TextInput[Form] = discord.ui.TextInput(
        label="Question", style=discord.TextStyle.paragraph, max_length=300, custom_id="text"
    )
    options: discord.ui.TextInput[Form] = discord.ui.TextInput(
        label="Options, one per line (choice questions)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=1100,
        custom_id="options",
    )

    def __init__(self, consultation_id: int, kind: str) -> None:
        super().__init__(title="Add a question", consultation_id=consultation_id, kind=kind)
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
