"""Saving answers as a round: the answers that arrive together, written in one transaction.

The rules are answering.py's, applied to each answer of the round; what differs is only how
often the database is asked. A round loads each server, consultation and question once, the
answering members in one query, and writes the respondents, answers, participants and
contributions in one statement each (see bot/db/group_commit.py for the guarantees).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationParticipant,
    ConsultationQuestion,
    ConsultationRespondent,
    Contribution,
    Member,
)
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config, require_member
from bot.services.base import claim, insert_new
from bot.services.consultations.common import (
    ANSWER_MAX,
    SCALE_MAX,
    SCALE_MIN,
    ConsultationBase,
    ConsultationView,
    QuestionView,
    require_in_audience,
)
from bot.services.errors import Conflict, InvalidInput, NotFound, ServiceError
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


@dataclass(frozen=True)
class AnswererRow:
    """The columns of a member an answer needs."""

    id: int
    status: str
    locality: str
    level_key: str | None


@dataclass(frozen=True)
class Checked:
    """An answer that passed every check, ready to write."""

    answer: Answer
    row: Consultation
    member_id: int
    question: ConsultationQuestion
    values: dict[str, object]


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


class AnswerRounds(ConsultationBase):
    """Write a round of answers (each member once per consultation) in one transaction."""

    async def _save_together(self, answers: Sequence[Answer]) -> list[Saved | Exception]:
        now = self.clock.now()
        async with self.db.begin() as s:
            members = await _answerers(s, answers)
            checked: list[Checked | Exception] = []
            for answer in answers:
                try:
                    member = members.get((answer.actor.guild_id, answer.actor.user_id))
                    checked.append(await self._check(s, answer, member, now))
                except ServiceError as refusal:
                    checked.append(refusal)
            # One UPDATE per consultation both locks its questions and re-checks, in the same
            # row lock as a close or a question edit, that answers are still allowed.
            still_open = {
                row.id: await claim(
                    s,
                    update(Consultation)
                    .where(
                        Consultation.id == row.id,
                        Consultation.status == "open",
                        Consultation.deadline > now,
                    )
                    .values(questions_locked=True),
                )
                for row in {c.row.id: c.row for c in checked if isinstance(c, Checked)}.values()
            }
            checked = [
                Conflict(JUST_CLOSED) if isinstance(c, Checked) and not still_open[c.row.id] else c
                for c in checked
            ]
            ok = [c for c in checked if isinstance(c, Checked)]
            respondents = await _respondents(s, ok)
            await _write_answers(s, ok, respondents)
            first = await _participation(s, [c for c in ok if not c.answer.skipped], now)
            views = {
                row.id: replace(await self._view(s, row), questions_locked=True)
                for row in {c.row.id: c.row for c in ok}.values()
            }
            given = await _answers_of(s, list(respondents.values()))
        saved: list[Saved | Exception] = []
        for c in checked:
            if isinstance(c, Exception):
                saved.append(c)
                continue
            mine = given.get(respondents[id(c)], {})
            step = step_of(views[c.row.id], mine, None, after=c.question.position)
            saved.append(Saved(step, (c.row.id, c.member_id) in first))
        return saved

    async def _check(
        self, s: AsyncSession, answer: Answer, member: AnswererRow | Member | None, now: datetime
    ) -> Checked:
        """Apply every rule of saving alone to one answer of a round; raise its refusal."""
        actor = answer.actor
        await guild_config(s, actor.guild_id)
        if member is None or member.status != "approved":
            member = await require_member(s, actor, allow_paused=False)
        row = await self._load(s, actor.guild_id, answer.consultation_id)
        require_in_audience(member, row, self.settings)
        check_answerable(row, now)
        question = await s.get(ConsultationQuestion, answer.question_id)
        if question is None or question.consultation_id != row.id:
            raise NotFound(NO_QUESTION)
        values = validate(question, answer.choices, answer.scale, answer.text, answer.skipped)
        return Checked(answer, row, member.id, question, values)


async def _answerers(s: AsyncSession, answers: Sequence[Answer]) -> dict[tuple[int, int], Any]:
    """Load the members answering in a round, by (server, user), in one query."""
    rows = await s.execute(
        select(
            Member.guild_id,
            Member.user_id,
            Member.id,
            Member.status,
            Member.locality,
            Member.level_key,
        ).where(
            Member.guild_id.in_({a.actor.guild_id for a in answers}),
            Member.user_id.in_({a.actor.user_id for a in answers}),
        )
    )
    return {(r[0], r[1]): AnswererRow(r[2], r[3], r[4], r[5]) for r in rows}


def _who(c: Checked) -> dict[str, Any]:
    """Return how a respondent is found: by key (anonymous) or by member (named)."""
    if c.row.anonymous:
        assert c.row.secret is not None  # open consultations always have their secret
        return {"key": respondent_key(c.row.secret, c.answer.actor.user_id), "member_id": None}
    return {"key": None, "member_id": c.member_id}


async def _respondents(s: AsyncSession, ok: list[Checked]) -> dict[int, str]:
    """Make sure each answerer of a round has a respondent row; return its id per answer."""
    who = {id(c): _who(c) for c in ok}
    table = ConsultationRespondent.__table__
    for anonymous, unique in ((True, "key"), (False, "member_id")):
        rows = [
            {"id": secrets.token_hex(16), "consultation_id": c.row.id, **who[id(c)]}
            for c in ok
            if c.row.anonymous == anonymous
        ]
        if rows:
            stmt = insert_for(s, table).on_conflict_do_nothing(
                index_elements=["consultation_id", unique]
            )
            await s.execute(stmt, rows)
    if not ok:
        return {}
    R = ConsultationRespondent
    keys = [w["key"] for w in who.values() if w["key"] is not None]
    members = [w["member_id"] for w in who.values() if w["member_id"] is not None]
    found = await s.execute(
        select(R.id, R.consultation_id, R.key, R.member_id).where(
            R.consultation_id.in_({c.row.id for c in ok}),
            or_(R.key.in_(keys), R.member_id.in_(members)),
        )
    )
    by_key = {(r.consultation_id, r.key or r.member_id): r.id for r in found}
    return {id(c): by_key[(c.row.id, who[id(c)]["key"] or who[id(c)]["member_id"])] for c in ok}


async def _write_answers(s: AsyncSession, ok: list[Checked], respondents: dict[int, str]) -> None:
    """Write (or replace) every answer of a round in one statement."""
    if not ok:
        return
    upsert = insert_for(s, ConsultationAnswer.__table__)
    upsert = upsert.on_conflict_do_update(
        index_elements=["respondent_id", "question_id"],
        set_={name: upsert.excluded[name] for name in ("choices", "scale", "text", "skipped")},
    )
    await s.execute(
        upsert,
        [
            {"respondent_id": respondents[id(c)], "question_id": c.question.id, **c.values}
            for c in ok
        ],
    )


async def _participation(s: AsyncSession, ok: list[Checked], now: datetime) -> set[tuple[int, int]]:
    """Record who took part, and a contribution for each first answer; return those firsts."""
    participants = ConsultationParticipant.__table__
    new = await insert_new(
        s,
        participants,
        ["consultation_id", "member_id"],
        [{"consultation_id": c.row.id, "member_id": c.member_id} for c in ok],
        participants.c.consultation_id,
        participants.c.member_id,
    )
    first = {(int(cid), int(mid)) for cid, mid in new}
    rows = []
    for c in ok:
        if (c.row.id, c.member_id) not in first:
            continue
        # An anonymous consultation's contribution gets the opening time, not the answer time.
        when = c.row.opened_at if c.row.anonymous and c.row.opened_at else now
        rows.append(
            {
                "guild_id": c.row.guild_id,
                "member_id": c.member_id,
                "kind": ContributionKind.CONSULTATION_RESPONSE.value,
                "source_key": f"consultation:{c.row.id}",
                "hours": None,
                "note": None,
                "occurred_at": when,
                "recorded_by": None,
                "recorded_at": when,
            }
        )
    contributions = Contribution.__table__
    await insert_new(
        s, contributions, ["member_id", "kind", "source_key"], rows, contributions.c.id
    )
    return first


async def _answers_of(
    s: AsyncSession, respondent_ids: list[str]
) -> dict[str, dict[int, AnswerView]]:
    """Return every answer of these respondents, by respondent and question."""
    if not respondent_ids:
        return {}
    A = ConsultationAnswer
    rows = await s.execute(
        select(A.respondent_id, A.question_id, A.choices, A.scale, A.text, A.skipped).where(
            A.respondent_id.in_(set(respondent_ids))
        )
    )
    found: dict[str, dict[int, AnswerView]] = {}
    for r in rows:
        found.setdefault(r[0], {})[r[1]] = AnswerView(tuple(r[2] or ()), r[3], r[4], r[5])
    return found
