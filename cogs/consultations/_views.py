"""Buttons, selects and the form for answering consultations question by question.

Every component carries the ids it needs in its custom_id and reads the rest from the
database, so an answer half-way through keeps working after a restart.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.services.consultations import AnswerView, Step
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import PersistentButton, PersistentForm, PersistentSelect
from bot.ui.replies import reply
from cogs.consultations._render import step_text

ANSWER_MAX = 1000
# Custom ids posted before this base existed read these fields this way: a scale value is an
# optional minus and one to six digits (spelled out: a key's pattern can't hold braces), and
# a position is read from its first four digits (so it is kept as text, not "[0-9]+").
SCALE_VALUE = "-?[0-9]" + "[0-9]?" * 5
POSITION = "[0-9][0-9]*"


def step_view(step: Step) -> discord.ui.View:
    """Return the controls for one step: choices, scale or write, plus back and skip."""
    view = discord.ui.View(timeout=None)
    cid = step.consultation.id
    q = step.question
    if q is None:
        view.add_item(GotoButton(cid, 1, "Review my answers"))
        return view
    current = step.current
    if q.kind in {"single", "multiple"}:
        view.add_item(PickSelect(cid, q.id, int(q.kind == "multiple"), list(q.options), current))
    elif q.kind == "scale":
        for value in range(1, 6):
            chosen = current is not None and current.scale == value
            view.add_item(ScaleButton(cid, q.id, value, chosen))
    else:
        label = "Change my answer" if current and current.text else "Write my answer"
        view.add_item(WriteButton(cid, q.id, label))
    if step.number > 1:
        view.add_item(GotoButton(cid, step.number - 1, "Back"))
    view.add_item(SkipButton(cid, q.id))
    if current is not None and step.number < step.total:
        view.add_item(GotoButton(cid, step.number + 1, "Next"))
    return view


async def show_step(interaction: Interaction, step: Step, *, new_message: bool = False) -> None:
    """Show a step: a new private message, or the same message updated in place."""
    tz = interaction.client.settings.tz
    if new_message or interaction.message is None:
        await reply(interaction, step_text(step, tz), view=step_view(step))
    else:
        await interaction.response.edit_message(content=step_text(step, tz), view=step_view(step))


class StartButton(PersistentButton, key="consult:start:{consultation_id}"):
    """The "Take part" button on a consultation's announcement."""

    label_text = "Take part"
    button_style = discord.ButtonStyle.success
    consultation_id: int

    async def run(self, interaction: Interaction) -> None:
        """Open (or resume) the member's answers privately."""
        answering = interaction.client.services.consultations.answering
        step = await answering.next_question(actor_for(interaction), self.consultation_id)
        await show_step(interaction, step, new_message=True)


class GotoButton(
    PersistentButton, key="consult:goto:{consultation_id}:{position:" + POSITION + "}"
):
    """Go to a question by number (back, next, review)."""

    def __init__(self, consultation_id: int, position: int | str, label: str = "Back") -> None:
        super().__init__(label=label, row=1, consultation_id=consultation_id, position=position)
        self.consultation_id = consultation_id
        self.position = int(position[:4]) if isinstance(position, str) else position

    async def run(self, interaction: Interaction) -> None:
        """Show that question with the member's current answer."""
        answering = interaction.client.services.consultations.answering
        step = await answering.question_at(
            actor_for(interaction), self.consultation_id, self.position
        )
        await show_step(interaction, step)


class _QuestionButton(PersistentButton, template=r"consult:never"):
    """A button about one question of one consultation (its key names both ids)."""

    # Named apart from Item's own `row` and the button's `style`, which they must not shadow.
    label_text, button_style, button_row = "", discord.ButtonStyle.secondary, 0

    def __init__(
        self,
        consultation_id: int,
        question_id: int,
        label: str | None = None,
        style: discord.ButtonStyle | None = None,
        **more: Any,
    ) -> None:
        super().__init__(
            label=label or self.label_text,
            style=style or self.button_style,
            row=self.button_row,
            consultation_id=consultation_id,
            question_id=question_id,
            **more,
        )
        self.consultation_id = consultation_id
        self.question_id = question_id


class SkipButton(_QuestionButton, key="consult:skip:{consultation_id}:{question_id}"):
    """Skip a question."""

    label_text, button_row = "Skip", 1

    async def run(self, interaction: Interaction) -> None:
        """Record the skip and move on."""
        answering = interaction.client.services.consultations.answering
        saved = await answering.skip(actor_for(interaction), self.consultation_id, self.question_id)
        await show_step(interaction, saved.step)


class ScaleButton(
    _QuestionButton,
    key="consult:scale:{consultation_id}:{question_id}:{value:" + SCALE_VALUE + "}",
):
    """One point of a 1–5 scale."""

    def __init__(
        self, consultation_id: int, question_id: int, value: int | str, chosen: bool = False
    ) -> None:
        style = discord.ButtonStyle.primary if chosen else discord.ButtonStyle.secondary
        super().__init__(consultation_id, question_id, str(int(value)), style, value=value)
        self.value = int(value)  # the service checks it is 1 to 5

    async def run(self, interaction: Interaction) -> None:
        """Save the scale answer and move on."""
        answering = interaction.client.services.consultations.answering
        saved = await answering.answer_scale(
            actor_for(interaction), self.consultation_id, self.question_id, self.value
        )
        await show_step(interaction, saved.step)


class PickSelect(
    PersistentSelect, key="consult:pick:{consultation_id}:{question_id}:{multiple:[01]}"
):
    """The options of a single- or multiple-choice question."""

    def __init__(
        self,
        consultation_id: int,
        question_id: int,
        multiple: int | str,
        options: list[str] | None = None,
        current: AnswerView | None = None,
    ) -> None:
        many = str(multiple) == "1"
        options = options or []
        chosen = set(current.choices) if current is not None else set()
        super().__init__(
            placeholder="Choose all that apply" if many else "Choose one",
            min_values=1,
            max_values=max(len(options), 1) if many else 1,
            options=[
                discord.SelectOption(label=o[:100], value=str(i), default=i in chosen)
                for i, o in enumerate(options)
            ]
            or [discord.SelectOption(label="-", value="0")],
            row=0,
            consultation_id=consultation_id,
            question_id=question_id,
            multiple=int(many),
        )
        self.consultation_id = consultation_id
        self.question_id = question_id

    async def run(self, interaction: Interaction) -> None:
        """Save the choices and move on."""
        data: Any = interaction.data or {}
        try:
            picked = [int(v) for v in data.get("values") or []]
        except ValueError:
            picked = [-1]
        answering = interaction.client.services.consultations.answering
        saved = await answering.answer_choices(
            actor_for(interaction), self.consultation_id, self.question_id, picked
        )
        await show_step(interaction, saved.step)


class WriteButton(_QuestionButton, key="consult:write:{consultation_id}:{question_id}"):
    """Open the form for a free-text answer."""

    label_text, button_style = "Write my answer", discord.ButtonStyle.primary

    async def run(self, interaction: Interaction) -> None:
        """Show the form, filled in with the current answer so nothing typed is lost."""
        answering = interaction.client.services.consultations.answering
        step = await answering.question_step(
            actor_for(interaction), self.consultation_id, self.question_id
        )
        current = step.current.text if step.current and step.current.text else None
        question = step.question.text if step.question else "Your answer"
        await interaction.response.send_modal(
            TextAnswerModal(self.consultation_id, self.question_id, question, current)
        )


class TextAnswerModal(PersistentForm, key="consult:text:{consultation_id}:{question_id}"):
    """A free-text answer of up to 1,000 characters, saved even if the bot restarted meanwhile."""

    def __init__(
        self,
        consultation_id: int,
        question_id: int,
        question: str = "Your answer",
        current: str | None = None,
    ) -> None:
        super().__init__(
            title="Your answer", consultation_id=consultation_id, question_id=question_id
        )
        self.consultation_id = consultation_id
        self.question_id = question_id
        # The stable custom id lets a form rebuilt after a restart read what was typed.
        self.answer: discord.ui.TextInput[TextAnswerModal] = discord.ui.TextInput(
            label=(question[:42] + "…") if len(question) > 45 else question,
            style=discord.TextStyle.paragraph,
            max_length=ANSWER_MAX,
            required=True,
            default=current,
            custom_id="answer",
        )
        self.add_item(self.answer)

    async def submit(self, interaction: Interaction) -> None:
        """Save the answer and show the next question."""
        answering = interaction.client.services.consultations.answering
        saved = await answering.answer_text(
            actor_for(interaction), self.consultation_id, self.question_id, self.answer.value
        )
        await show_step(interaction, saved.step)


DYNAMIC_ITEMS = (
    StartButton,
    GotoButton,
    SkipButton,
    ScaleButton,
    PickSelect,
    WriteButton,
)
