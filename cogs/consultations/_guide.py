"""One guided conversation from a draft to an open consultation: draft → questions → preview → open.

After the draft form, each private reply carries the buttons for the next step ("Add a
question", "Preview", "Open it now"), so a worker never has to pick the consultation again.
A refused form keeps what was typed on its reply (see `_typed.py`) with a button to fix it.
Every button, select and form carries the ids it needs, so the conversation survives restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord

from bot.services.consultations import DraftForm
from bot.services.errors import InvalidInput, ServiceError
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentButton, PersistentForm, PersistentSelect
from bot.ui.replies import reply
from bot.ui.timefmt import both
from cogs.consultations._render import esc, preview_text, small_audience_note, summary_embed
from cogs.consultations._typed import draft_typed, question_typed, read_draft_typed
from cogs.consultations._typed import read_question_typed as read_typed

TEXT_MAX = 1000
TITLE = "Draft a consultation"
KIND = "single|multiple|scale|text"
# An audience in its one-string form: everyone, locality:<area> or level:<level>.
AUDIENCE = "everyone|(?:locality|level):[^:]+"
DRAFT_KEY = "{deadline}:{review}:{anonymous:[01]}:{audience:" + AUDIENCE + "}"
# Discord allows 100 characters; the form adds ":" and 8 hex digits.
LONGEST_KEY = 91
KIND_CHOICES = (
    ("single", "Single choice", "Members pick one option"),
    ("multiple", "Multiple choice", "Members pick as many options as they like"),
    ("scale", "Scale 1 to 5", "Members pick a number from 1 (not at all) to 5 (very much)"),
    ("text", "Free text", "Members write their answer in their own words"),
)
FIX = "Change what I typed"


def _seconds(when: datetime | int | None) -> int:
    if when is None:
        return 0
    return int(when.timestamp()) if isinstance(when, datetime) else int(when)


def _long(label: str, custom_id: str) -> discord.ui.TextInput[Form]:
    # A form that survives a restart needs stable input ids to read what was typed back.
    return discord.ui.TextInput(
        label=label, style=discord.TextStyle.paragraph, max_length=TEXT_MAX, custom_id=custom_id
    )


def guide_view(
    consultation_id: int, *, more: bool = False, warned: bool = False
) -> discord.ui.View:
    """Return the next steps: add a question, preview, open."""
    view = discord.ui.View(timeout=None)
    view.add_item(AddQuestionButton(consultation_id, "Add another question" if more else None))
    view.add_item(PreviewButton(consultation_id=consultation_id))
    view.add_item(OpenNowButton(consultation_id, int(warned)))
    return view


def kind_view(consultation_id: int) -> discord.ui.View:
    """Return the choice of question kind."""
    return discord.ui.View(timeout=None).add_item(KindSelect(consultation_id))


class DraftModal(PersistentForm, key="consult:draftform:" + DRAFT_KEY):
    """The five long answers a draft needs; the checked choices ride in the custom id.

    So a draft typed while the bot restarted is still saved: the deadline and review date as
    Unix seconds (0: no review date), anonymity, and the audience in its one-string form.
    """

    title_input: discord.ui.TextInput[Form] = discord.ui.TextInput(
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
        anonymous: bool | str | int,
        typed: dict[str, str] | None = None,
    ) -> None:
        seconds, review_seconds = _seconds(deadline), _seconds(review)
        anonymity = int(anonymous in (True, "1", 1))
        ids = {"deadline": seconds, "review": review_seconds, "anonymous": anonymity}
        self.fits = len(f"consult:draftform:{seconds}:{review_seconds}:0:{audience}") <= LONGEST_KEY
        if self.fits:
            super().__init__(title=TITLE, audience=audience, **ids)
        else:
            # A very long area name: this form can't carry it, so it works as before (no
            # restart-proofing) rather than not at all.
            Form.__init__(self, title=TITLE, custom_id="consult:draftform")
            self.ids = {"audience": audience, **ids}
        self.deadline = datetime.fromtimestamp(seconds, tz=UTC)
        self.review = datetime.fromtimestamp(review_seconds, tz=UTC) if review_seconds else None
        self.audience = audience
        self.anonymous = bool(anonymity)
        for key, value in (typed or {}).items():
            if value:  # an empty default would be sent as a value Discord may refuse
                getattr(self, "title_input" if key == "title" else key).default = value

    def typed(self) -> dict[str, str]:
        """Return what was typed, by field."""
        inputs = (self.title_input, self.purpose, self.outcomes, self.can_change)
        keys = ("title", "purpose", "outcomes", "can_change", "cannot_change")
        return dict(zip(keys, [i.value for i in (*inputs, self.cannot_change)], strict=True))

    async def submit(self, interaction: Interaction) -> None:
        """Create the draft and offer the next steps; if refused, keep what was typed."""
        client = interaction.client
        typed = self.typed()
        form = DraftForm(
            **typed,
            deadline=self.deadline,
            review_date=self.review,
            audience=self.audience,
            anonymous=self.anonymous,
        )
        actor = actor_for(interaction)
        try:
            view = await client.services.consultations.drafting.draft(actor, form)
        except ServiceError as exc:
            buttons = discord.ui.View(timeout=None)
            if self.fits:
                buttons.add_item(RedraftButton(**self.ids))
            await reply(interaction, exc.message, embed=draft_typed(typed), view=buttons)
            return
        preview = await client.services.consultations.preview.preview(actor, view.id)
        note = small_audience_note(preview)
        await reply(
            interaction,
            f"Draft #{view.id} saved. Next, add its questions: press **Add a question**, as many "
            "times as you need (or upload a file with `/consult upload`). Members can suggest "
            "questions with `/consult suggest` while it is a draft. Then **Preview** it, and "
            "**Open it now** when it looks right." + (f"\n\n{note}" if note else ""),
            embed=summary_embed(view, client.settings.tz, f"Draft: {view.title}"),
            view=guide_view(view.id, warned=note is not None),
        )


class RedraftButton(PersistentButton, key="consult:redraft:" + DRAFT_KEY):
    """Open the draft form again, filled in with what was typed."""

    def __init__(self, **ids: Any) -> None:
        super().__init__(label=FIX, style=discord.ButtonStyle.primary, **ids)

    async def run(self, interaction: Interaction) -> None:
        """Check the dates still work, then show the form as it was."""
        drafting = interaction.client.services.consultations.drafting
        await drafting.list_for_worker(actor_for(interaction))  # workers only, before typing
        ids = self.ids
        deadline = datetime.fromtimestamp(int(ids["deadline"]), tz=UTC)
        review = datetime.fromtimestamp(int(ids["review"]), tz=UTC) if ids["review"] else None
        try:
            drafting.check_dates(deadline, review)
        except InvalidInput as exc:
            raise InvalidInput(
                f"{exc.message} Please start again with `/consult draft` and new dates. Your "
                "words are still in the message above, ready to copy."
            ) from exc
        typed = read_draft_typed(interaction.message)
        form = DraftModal(deadline, review, str(ids["audience"]), ids["anonymous"], typed)
        await interaction.response.send_modal(form)


class QuestionModal(PersistentForm, key="consult:qform:{consultation_id}:{kind:" + KIND + "}"):
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

    def __init__(self, consultation_id: int, kind: str, text: str = "", options: str = "") -> None:
        super().__init__(title="Add a question", consultation_id=consultation_id, kind=kind)
        self.consultation_id = consultation_id
        self.kind = kind
        self.text.default = text[:300] or None
        self.options.default = options[:1100] or None

    async def submit(self, interaction: Interaction) -> None:
        """Add the question at the end and offer the next steps; if refused, keep the words."""
        client = interaction.client
        typed = self.options.value
        options = [o.strip(" -*•\t") for o in typed.splitlines() if o.strip()]
        try:
            question = await client.services.consultations.questions.add_question(
                actor_for(interaction), self.consultation_id, self.kind, self.text.value, options
            )
        except ServiceError as exc:
            message = exc.message
            if len(options) == 1 and any(sep in options[0] for sep in ",;/|"):
                message += " Put each option on its own line."
            buttons = discord.ui.View(timeout=None)
            if isinstance(exc, InvalidInput):
                buttons.add_item(FixQuestionButton(self.consultation_id, self.kind))
                buttons.add_item(KindSelect(self.consultation_id, "Or choose another kind"))
            embed = question_typed(self.text.value, typed)
            await reply(interaction, message, embed=embed, view=buttons)
            return
        await reply(
            interaction,
            f"Added as question {question.position}: “{esc(question.text)}”. Add another, "
            "preview what members will see, or open it.",
            view=guide_view(self.consultation_id, more=True),
        )


class AddQuestionButton(PersistentButton, key="consult:guide:add:{consultation_id}"):
    """Start adding a question: first choose its kind."""

    def __init__(self, consultation_id: int, label: str | None = None) -> None:
        super().__init__(
            label=label or "Add a question",
            style=discord.ButtonStyle.primary,
            consultation_id=consultation_id,
        )
        self.consultation_id = consultation_id

    async def run(self, interaction: Interaction) -> None:
        """Ask what kind of question it is (refusing first if questions can't change)."""
        questions = interaction.client.services.consultations.questions
        await questions.check_editable(actor_for(interaction), self.consultation_id)
        await reply(
            interaction, "What kind of question is it?", view=kind_view(self.consultation_id)
        )


class KindSelect(PersistentSelect, key="consult:guide:kind:{consultation_id}"):
    """The kinds of question; choosing one opens the question form."""

    def __init__(
        self, consultation_id: int, placeholder: str = "Choose the kind of question"
    ) -> None:
        super().__init__(
            placeholder=placeholder,
            options=[
                discord.SelectOption(value=value, label=label, description=about)
                for value, label, about in KIND_CHOICES
            ],
            consultation_id=consultation_id,
        )
        self.consultation_id = consultation_id

    async def run(self, interaction: Interaction) -> None:
        """Open the question form (keeping any words already typed on this message)."""
        data: Any = interaction.data or {}
        kind = next(iter(data.get("values") or []), "")
        if kind not in {value for value, _, _ in KIND_CHOICES}:
            raise InvalidInput("Please choose one of the kinds in the list.")
        await _question_form(interaction, self.consultation_id, kind)


class FixQuestionButton(
    PersistentButton, key="consult:guide:fix:{consultation_id}:{kind:" + KIND + "}"
):
    """Open the question form again, filled in with what was typed."""

    def __init__(self, consultation_id: int, kind: str) -> None:
        super().__init__(
            label=FIX, style=discord.ButtonStyle.primary, consultation_id=consultation_id, kind=kind
        )
        self.consultation_id = consultation_id
        self.kind = kind

    async def run(self, interaction: Interaction) -> None:
        """Show the form as it was sent."""
        await _question_form(interaction, self.consultation_id, self.kind)


async def _question_form(interaction: Interaction, consultation_id: int, kind: str) -> None:
    questions = interaction.client.services.consultations.questions
    # Refuse before the form, so nobody types into a form that can't be saved.
    await questions.check_editable(actor_for(interaction), consultation_id)
    text, options = read_typed(interaction.message)
    await interaction.response.send_modal(QuestionModal(consultation_id, kind, text, options))


class PreviewButton(PersistentButton, key="consult:guide:preview:{consultation_id}"):
    """Show the consultation as members will see it."""

    label_text = "Preview"
    consultation_id: int

    async def run(self, interaction: Interaction) -> None:
        """Show the announcement, the questions in order, and any warning before it opens."""
        client = interaction.client
        preview = await client.services.consultations.preview.preview(
            actor_for(interaction), self.consultation_id
        )
        view = preview.consultation
        buttons = discord.ui.View(timeout=None)
        if view.status == "draft":
            buttons.add_item(AddQuestionButton(view.id))
            buttons.add_item(OpenNowButton(view.id, 1))  # any warning is on this message
        await reply(
            interaction,
            preview_text(preview),
            embed=summary_embed(view, client.settings.tz),
            view=buttons,
        )


class OpenNowButton(PersistentButton, key="consult:guide:open:{consultation_id}:{warned:[01]}"):
    """Open the consultation, first saying so if its results may not be shown."""

    def __init__(self, consultation_id: int, warned: int | str = 0, label: str = "") -> None:
        super().__init__(
            label=label or "Open it now",
            style=discord.ButtonStyle.success,
            consultation_id=consultation_id,
            warned=int(warned),
        )
        self.consultation_id = consultation_id
        self.warned = int(warned) == 1

    async def run(self, interaction: Interaction) -> None:
        """Open it, or say what is missing, or warn first when few members can answer."""
        client = interaction.client
        actor = actor_for(interaction)
        c = client.services.consultations
        preview = await c.preview.preview(actor, self.consultation_id)
        cid = self.consultation_id
        if preview.consultation.status == "draft" and not preview.consultation.questions:
            more = discord.ui.View(timeout=None).add_item(AddQuestionButton(cid))
            await reply(interaction, "Add at least one question before opening it.", view=more)
            return
        note = small_audience_note(preview)
        if note and not self.warned and preview.consultation.status == "draft":
            confirm = discord.ui.View(timeout=None)
            confirm.add_item(OpenNowButton(cid, 1, "Open it anyway"))
            confirm.add_item(PreviewButton(consultation_id=cid))
            await reply(interaction, f"Before you open it:\n{note}", view=confirm)
            return
        view = await c.drafting.open(actor, cid)
        await reply(
            interaction,
            f"Open until {both(view.deadline, client.settings.tz)}. Members will find it in "
            "announcements, with a **Take part** button.",
        )


GUIDE_ITEMS = (
    AddQuestionButton,
    KindSelect,
    FixQuestionButton,
    PreviewButton,
    OpenNowButton,
    RedraftButton,
)
