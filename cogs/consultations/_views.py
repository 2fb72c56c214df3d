"""Buttons, selects and forms for answering consultations and deciding suggestions.

Every component carries the ids it needs in its custom_id (DynamicItem) and reads the rest
from the database, so an answer half-way through keeps working after a restart.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.services.consultations import AnswerView, Step
from bot.ui.actor import actor_for
from bot.ui.forms import unique
from bot.ui.replies import guarded, reply
from cogs.consultations._render import step_text

ANSWER_MAX = 1000


def client_of(interaction: discord.Interaction[Any]) -> Any:
    """Return the bot (typed loosely: its services are attributes)."""
    return interaction.client


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
        view.add_item(PickSelect(cid, q.id, list(q.options), q.kind == "multiple", current))
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


async def show_step(
    interaction: discord.Interaction[Any], step: Step, *, new_message: bool = False
) -> None:
    """Show a step: a new private message, or the same message updated in place."""
    tz = client_of(interaction).settings.tz
    if new_message or interaction.message is None:
        await reply(interaction, step_text(step, tz), view=step_view(step))
    else:
        await interaction.response.edit_message(content=step_text(step, tz), view=step_view(step))


class IdButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"consult:never"):
    """A button whose ids live in its custom_id (rebuilt from it after a restart)."""

    def __init__(self, custom_id: str, label: str, style: discord.ButtonStyle, row: int | None):
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, row=row))


class StartButton(IdButton, template=r"consult:start:(?P<cid>[0-9]+)"):
    """The "Take part" button on a consultation's announcement."""

    def __init__(self, consultation_id: int) -> None:
        super().__init__(
            f"consult:start:{consultation_id}", "Take part", discord.ButtonStyle.success, None
        )
        self.consultation_id = consultation_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StartButton:
        """Rebuild from the custom_id."""
        return cls(int(match["cid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open (or resume) the member's answers privately."""
        answering = client_of(interaction).services.consultations.answering
        step = await answering.next_question(actor_for(interaction), self.consultation_id)
        await show_step(interaction, step, new_message=True)


class GotoButton(IdButton, template=r"consult:goto:(?P<cid>[0-9]+):(?P<pos>[0-9]+)"):
    """Go to a question by number (back, next, review)."""

    def __init__(self, consultation_id: int, position: int, label: str = "Back") -> None:
        super().__init__(
            f"consult:goto:{consultation_id}:{position}",
            label,
            discord.ButtonStyle.secondary,
            1,
        )
        self.consultation_id = consultation_id
        self.position = position

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> GotoButton:
        """Rebuild from the custom_id."""
        return cls(int(match["cid"]), int(match["pos"][:4]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show that question with the member's current answer."""
        answering = client_of(interaction).services.consultations.answering
        step = await answering.question_at(
            actor_for(interaction), self.consultation_id, self.position
        )
        await show_step(interaction, step)


class SkipButton(IdButton, template=r"consult:skip:(?P<cid>[0-9]+):(?P<qid>[0-9]+)"):
    """Skip a question."""

    def __init__(self, consultation_id: int, question_id: int) -> None:
        super().__init__(
            f"consult:skip:{consultation_id}:{question_id}",
            "Skip",
            discord.ButtonStyle.secondary,
            1,
        )
        self.consultation_id = consultation_id
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SkipButton:
        """Rebuild from the custom_id."""
        return cls(int(match["cid"]), int(match["qid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the skip and move on."""
        answering = client_of(interaction).services.consultations.answering
        saved = await answering.skip(actor_for(interaction), self.consultation_id, self.question_id)
        await show_step(interaction, saved.step)


class ScaleButton(
    IdButton, template=r"consult:scale:(?P<cid>[0-9]+):(?P<qid>[0-9]+):(?P<value>-?[0-9]{1,6})"
):
    """One point of a 1–5 scale."""

    def __init__(
        self, consultation_id: int, question_id: int, value: int, chosen: bool = False
    ) -> None:
        style = discord.ButtonStyle.primary if chosen else discord.ButtonStyle.secondary
        super().__init__(
            f"consult:scale:{consultation_id}:{question_id}:{value}", str(value), style, 0
        )
        self.consultation_id = consultation_id
        self.question_id = question_id
        self.value = value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ScaleButton:
        """Rebuild from the custom_id (the service checks the value is 1 to 5)."""
        return cls(int(match["cid"]), int(match["qid"]), int(match["value"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Save the scale answer and move on."""
        answering = client_of(interaction).services.consultations.answering
        saved = await answering.answer_scale(
            actor_for(interaction), self.consultation_id, self.question_id, self.value
        )
        await show_step(interaction, saved.step)


class PickSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"consult:pick:(?P<cid>[0-9]+):(?P<qid>[0-9]+):(?P<multi>[01])",
):
    """The options of a single- or multiple-choice question."""

    def __init__(
        self,
        consultation_id: int,
        question_id: int,
        options: list[str],
        multiple: bool,
        current: AnswerView | None = None,
    ) -> None:
        chosen = set(current.choices) if current is not None else set()
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"consult:pick:{consultation_id}:{question_id}:{int(multiple)}",
            placeholder="Choose all that apply" if multiple else "Choose one",
            min_values=1,
            max_values=max(len(options), 1) if multiple else 1,
            options=[
                discord.SelectOption(label=o[:100], value=str(i), default=i in chosen)
                for i, o in enumerate(options)
            ]
            or [discord.SelectOption(label="-", value="0")],
            row=0,
        )
        super().__init__(select)
        self.consultation_id = consultation_id
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PickSelect:
        """Rebuild from the custom_id; the picked values come with the interaction."""
        return cls(int(match["cid"]), int(match["qid"]), [], match["multi"] == "1")

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Save the choices and move on."""
        data: Any = interaction.data or {}
        try:
            picked = [int(v) for v in data.get("values") or []]
        except ValueError:
            picked = [-1]
        answering = client_of(interaction).services.consultations.answering
        saved = await answering.answer_choices(
            actor_for(interaction), self.consultation_id, self.question_id, picked
        )
        await show_step(interaction, saved.step)


class WriteButton(IdButton, template=r"consult:write:(?P<cid>[0-9]+):(?P<qid>[0-9]+)"):
    """Open the form for a free-text answer."""

    def __init__(
        self, consultation_id: int, question_id: int, label: str = "Write my answer"
    ) -> None:
        super().__init__(
            f"consult:write:{consultation_id}:{question_id}",
            label,
            discord.ButtonStyle.primary,
            0,
        )
        self.consultation_id = consultation_id
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> WriteButton:
        """Rebuild from the custom_id."""
        return cls(int(match["cid"]), int(match["qid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the form, filled in with the current answer so nothing typed is lost."""
        answering = client_of(interaction).services.consultations.answering
        step = await answering.question_step(
            actor_for(interaction), self.consultation_id, self.question_id
        )
        current = step.current.text if step.current and step.current.text else None
        question = step.question.text if step.question else "Your answer"
        await interaction.response.send_modal(
            TextAnswerModal(self.consultation_id, self.question_id, question, current)
        )


class TextAnswerModal(discord.ui.Modal):
    """A free-text answer of up to 1,000 characters."""

    def __init__(
        self, consultation_id: int, question_id: int, question: str, current: str | None
    ) -> None:
        super().__init__(
            title="Your answer", custom_id=unique(f"consult:text:{consultation_id}:{question_id}")
        )
        self.consultation_id = consultation_id
        self.question_id = question_id
        self.answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=(question[:42] + "…") if len(question) > 45 else question,
            style=discord.TextStyle.paragraph,
            max_length=ANSWER_MAX,
            required=True,
            default=current,
            custom_id="answer",
        )
        self.add_item(self.answer)

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Save the answer and show the next question."""
        answering = client_of(interaction).services.consultations.answering
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
