"""What an answer is, the rules it must meet, and the step shown after it is saved."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db.models import Consultation, ConsultationQuestion
from bot.services.access import Actor
from bot.services.consultations.common import (
    ANSWER_MAX,
    SCALE_MAX,
    SCALE_MIN,
    ConsultationView,
    QuestionView,
)
from bot.services.errors import Conflict, InvalidInput, NotFound
from bot.services.text import clean_text

JUST_CLOSED = "This consultation has just closed, so the answer wasn't saved."
NO_QUESTION = "That question is no longer in this consultation. Use /consult answer to carry on."


@dataclass(frozen=True)
class AnswerView:
    """What a member answered to one question (shown only to that member)."""

    choices: tuple[int, ...] = ()
    scale: int | None = None
    text: str | None = None
    skipped: bool = False


@dataclass(frozen=True)
class Step:
    """Where a member is in a consultation: the question to show and their progress."""

    consultation: ConsultationView
    question: QuestionView | None  # None when every question has an answer
    current: AnswerView | None  # their existing answer to this question, if any
    number: int  # position of the question shown (0 when finished)
    total: int
    answered: int

    @property
    def progress(self) -> str:
        """Return e.g. '3 of 7' for the question shown, or '7 of 7' when finished."""
        return f"{self.number or self.total} of {self.total}"

    @property
    def finished(self) -> bool:
        """Tell whether every question has an answer (or was skipped)."""
        return self.question is None


@dataclass(frozen=True)
class Saved:
    """The result of saving an answer: the next step, and whether this was their first."""

    step: Step
    first_answer: bool


@dataclass(frozen=True)
class Answer:
    """One answer as it waits to be written."""

    actor: Actor
    consultation_id: int
    question_id: int
    choices: tuple[int, ...] | None = None
    scale: int | None = None
    text: str | None = None
    skipped: bool = False


def respondent_key(secret: bytes, user_id: int) -> str:
    """Return the HMAC that finds an anonymous respondent's row while the secret exists."""
    return hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()


def check_answerable(row: Consultation, now: datetime) -> None:
    """Refuse answering a consultation that is not open yet, or has closed."""
    if row.status == "draft":
        raise Conflict("This consultation isn't open yet. You can suggest questions for it.")
    if row.status == "closed" or row.deadline <= now:
        raise Conflict(
            "This consultation has closed, so answers can't be given or changed now. "
            "Thank you — look out for the 'you said, we did' feedback."
        )


def validate(
    question: ConsultationQuestion,
    choices: Sequence[int] | None,
    scale: int | None,
    text: str | None,
    skipped: bool,
) -> dict[str, object]:
    """Return the columns of an answer to this question, or explain what is wrong with it."""
    values: dict[str, object] = {"choices": None, "scale": None, "text": None}
    if skipped:
        return {**values, "skipped": True}
    kind = question.kind
    if kind in {"single", "multiple"}:
        if choices is None:
            raise InvalidInput("Please choose an option for this question.")
        picked = sorted(set(choices))
        if not picked:
            raise InvalidInput("Please choose at least one option (or skip the question).")
        if any(not 0 <= i < len(question.options) for i in picked):
            raise InvalidInput("That option isn't one of this question's choices.")
        if kind == "single" and len(picked) != 1:
            raise InvalidInput("This question takes one answer: please choose just one.")
        values["choices"] = picked
    elif kind == "scale":
        if scale is None or isinstance(scale, bool) or not isinstance(scale, int):
            raise InvalidInput("Please choose a number from 1 to 5.")
        if not SCALE_MIN <= scale <= SCALE_MAX:
            raise InvalidInput(
                f"The scale goes from {SCALE_MIN} to {SCALE_MAX}, so {scale} can't be used."
            )
        values["scale"] = scale
    else:
        if text is None:
            raise InvalidInput("Please type an answer (or skip the question).")
        values["text"] = clean_text(
            text, field="your answer", max_length=ANSWER_MAX, multiline=True
        )
    return {**values, "skipped": False}


def step_of(
    view: ConsultationView, answers: dict[int, AnswerView], position: int | None, after: int = 0
) -> Step:
    """Return the step to show: a question by number, else the next one without an answer."""
    total = len(view.questions)
    answered = sum(1 for q in view.questions if q.id in answers)
    if position is not None:
        if not 1 <= position <= total:
            raise NotFound(f"This consultation has questions 1 to {total}.")
        question: QuestionView | None = view.questions[position - 1]
    else:
        question = next((q for q in view.questions if q.id not in answers), None)
        if question is None and 0 < after < total:
            # Everything is answered and they are reviewing: walk on to the next one.
            question = view.questions[after]
    current = answers.get(question.id) if question else None
    number = question.position if question else 0
    return Step(view, question, current, number, total, answered)
