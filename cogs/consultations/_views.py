"""Buttons, selects and forms for answering consultations and deciding suggestions.

Every component carries the ids it needs in its custom_id (DynamicItem) and reads the rest
from the database, so an answer half-way through keeps working after a restart.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.services.consultations import AnswerView, Step, SuggestionView
from bot.ui.actor import actor_for
from bot.ui.replies import guarded, reply
from cogs.consultations._render import esc, step_text, unique

ANSWER_MAX = 1000


def _client(interaction: discord.Interaction[Any]) -> Any:
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
    tz = _client(interaction).settings.tz
    if new_message or interaction.message is None:
        await reply(interaction, step_text(step, tz), view=step_view(step))
    else:
        await interaction.response.edit_message(content=step_text(step, tz), view=step_view(step))


class _Item(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"consult:never"):
    """Base for answer buttons: ids from the custom_id."""

    def __init__(self, custom_id: str, label: str, style: discord.ButtonStyle, row: int | None):
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, row=row))


class StartButton(_Item, template=r"consult:start:(?P<cid>[0-9]+)"):
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
        answering = _client(interaction).services.consultations.answering
        step = await answering.next_question(actor_for(interaction), self.consultation_id)
        await show_step(interaction, step, new_message=True)


class GotoButton(_Item, template=r"consult:goto:(?P<cid>[0-9]+):(?P<pos>[0-9]+)"):
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
        answering = _client(interaction).services.consultations.answering
        step = await answering.question_at(
            actor_for(interaction), self.consultation_id, self.position
        )
        await show_step(interaction, step)


class SkipButton(_Item, template=r"consult:skip:(?P<cid>[0-9]+):(?P<qid>[0-9]+)"):
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
        answering = _client(interaction).services.consultations.answering
        saved = await answering.skip(actor_for(interaction), self.consultation_id, self.question_id)
        await show_step(interaction, saved.step)


class ScaleButton(
    _Item, template=r"consult:scale:(?P<cid>[0-9]+):(?P<qid>[0-9]+):(?P<value>-?[0-9]{1,6})"
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
        answering = _client(interaction).services.consultations.answering
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
        answering = _client(interaction).services.consultations.answering
        saved = await answering.answer_choices(
            actor_for(interaction), self.consultation_id, self.question_id, picked
        )
        await show_step(interaction, saved.step)


class WriteButton(_Item, template=r"consult:write:(?P<cid>[0-9]+):(?P<qid>[0-9]+)"):
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
        answering = _client(interaction).services.consultations.answering
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
        answering = _client(interaction).services.consultations.answering
        saved = await answering.answer_text(
            actor_for(interaction), self.consultation_id, self.question_id, self.answer.value
        )
        await show_step(interaction, saved.step)


# ---- co-production: deciding suggestions --------------------------------------------------


def suggestion_view(suggestions: list[SuggestionView]) -> discord.ui.View:
    """Return Accept/Decline buttons for up to five suggestions, one row each."""
    view = discord.ui.View(timeout=None)
    for row, suggestion in enumerate(suggestions[:5]):
        view.add_item(AcceptSuggestion(suggestion.id, row, row + 1))
        view.add_item(DeclineSuggestion(suggestion.id, row, row + 1))
    return view


def suggestion_lines(suggestions: list[SuggestionView]) -> str:
    """Return the numbered suggestions, with who suggested them."""
    return "\n".join(
        f"**{n}.** {esc(s.text)} — _{esc(s.suggested_by or 'a former member')}_"
        for n, s in enumerate(suggestions[:5], start=1)
    )


class AcceptSuggestion(_Item, template=r"consult:sgok:(?P<sid>[0-9]+)"):
    """Accept a suggestion: the worker may reword it and choose its type."""

    def __init__(self, suggestion_id: int, row: int = 0, number: int = 1) -> None:
        super().__init__(
            f"consult:sgok:{suggestion_id}", f"Accept {number}", discord.ButtonStyle.success, row
        )
        self.suggestion_id = suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AcceptSuggestion:
        """Rebuild from the custom_id."""
        return cls(int(match["sid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the accept form with the suggestion's words filled in."""
        suggestions = _client(interaction).services.consultations.suggestions
        suggestion = await suggestions.suggestion(actor_for(interaction), self.suggestion_id)
        await interaction.response.send_modal(AcceptModal(self.suggestion_id, suggestion.text))


class AcceptModal(discord.ui.Modal):
    """Turn a suggestion into a question."""

    def __init__(self, suggestion_id: int, text: str) -> None:
        super().__init__(
            title="Accept this question", custom_id=unique(f"consult:sgform:{suggestion_id}")
        )
        self.suggestion_id = suggestion_id
        self.wording: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Question", default=text[:300], max_length=300, custom_id="wording"
        )
        self.kind: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Type: single, multiple, scale or text",
            default="text",
            max_length=20,
            custom_id="kind",
        )
        self.options: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Options, one per line (choice questions only)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1100,
            custom_id="options",
        )
        for item in (self.wording, self.kind, self.options):
            self.add_item(item)

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Add the question and thank the member who suggested it (if they opted in)."""
        client = _client(interaction)
        options = [o.strip(" -*•\t") for o in self.options.value.splitlines() if o.strip()]
        decision = await client.services.consultations.suggestions.accept_suggestion(
            actor_for(interaction),
            self.suggestion_id,
            kind=self.kind.value,
            options=options,
            text=self.wording.value,
        )
        position = decision.question.position if decision.question else "?"
        await reply(interaction, f"Accepted: it is now question {position}.")
        if decision.notify_user_id:
            await tell(
                client,
                decision.notify_user_id,
                f"Thank you! Your suggested question for **{esc(decision.consultation_title)}** "
                "has been added to the consultation.",
            )


class DeclineSuggestion(_Item, template=r"consult:sgno:(?P<sid>[0-9]+)"):
    """Decline a suggestion."""

    def __init__(self, suggestion_id: int, row: int = 0, number: int = 1) -> None:
        super().__init__(
            f"consult:sgno:{suggestion_id}",
            f"Decline {number}",
            discord.ButtonStyle.secondary,
            row,
        )
        self.suggestion_id = suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeclineSuggestion:
        """Rebuild from the custom_id."""
        return cls(int(match["sid"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Decline once; thank the member anyway (if they opted in)."""
        client = _client(interaction)
        decision = await client.services.consultations.suggestions.decline_suggestion(
            actor_for(interaction), self.suggestion_id
        )
        await reply(interaction, "Declined.")
        if decision.notify_user_id:
            await tell(
                client,
                decision.notify_user_id,
                f"Thank you for suggesting a question for **{esc(decision.consultation_title)}**. "
                "This time it wasn't added, but your ideas help shape what we ask.",
            )


async def tell(client: Any, user_id: int, text: str) -> bool:
    """DM someone; return False (and carry on) if their DMs are closed."""
    try:
        user = client.get_user(user_id) or await client.fetch_user(user_id)
        await user.send(text[:2000])
        return True
    except discord.HTTPException:
        return False


DYNAMIC_ITEMS = (
    StartButton,
    GotoButton,
    SkipButton,
    ScaleButton,
    PickSelect,
    WriteButton,
    AcceptSuggestion,
    DeclineSuggestion,
)
