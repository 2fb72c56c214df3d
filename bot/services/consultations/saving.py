"""Saving answers as a round: the answers that arrive together, written in one transaction.

The rules are answering.py's, applied to each answer of the round; what differs is only how
often the database is asked. A round loads each server, consultation and question once, the
answering members in one query, and writes the respondents, answers, participants and
contributions in one statement each (see bot/db/group_commit.py for the guarantees).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
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
    Member,
)
from bot.db.upsert import insert_for
from bot.services.access import MemberRow, guild_config, members_acting, require_member
from bot.services.base import claim, in_key_order, insert_new
from bot.services.consultations.answer_rules import (
    JUST_CLOSED,
    NO_QUESTION,
    Answer,
    AnswerView,
    Saved,
    check_answerable,
    respondent_key,
    step_of,
    validate,
)
from bot.services.consultations.common import ConsultationBase, require_in_audience
from bot.services.contributions import record_contributions
from bot.services.errors import Conflict, NotFound, ServiceError


@dataclass(frozen=True)
class Checked:
    """An answer that passed every check, ready to write."""

    answer: Answer
    row: Consultation
    member_id: int
    question: ConsultationQuestion
    values: dict[str, object]


_MISSING = object()


class AnswerRounds(ConsultationBase):
    """Write a round of answers (each member once per consultation) in one transaction."""

    _round_cache: dict[tuple[object, ...], Any]

    async def _save_together(self, answers: Sequence[Answer]) -> list[Saved | Exception]:
        now = self.clock.now()
        # Rounds run one at a time (one writer per process), so one cache serves them all.
        self._round_cache = {}
        async with self.db.begin() as s:
            members = await members_acting(s, (a.actor for a in answers))
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
        self, s: AsyncSession, answer: Answer, member: MemberRow | Member | None, now: datetime
    ) -> Checked:
        """Apply every rule of saving alone to one answer of a round; raise its refusal."""
        actor = answer.actor
        await self._once(("guild", actor.guild_id), lambda: guild_config(s, actor.guild_id))
        if member is None or member.status != "approved":
            member = await require_member(s, actor, allow_paused=False)
        row: Consultation = await self._once(
            ("consultation", actor.guild_id, answer.consultation_id),
            lambda: self._load(s, actor.guild_id, answer.consultation_id),
        )
        require_in_audience(member, row, self.settings_for(row.guild_id))
        check_answerable(row, now)
        question: ConsultationQuestion | None = await self._once(
            ("question", answer.question_id),
            lambda: s.get(ConsultationQuestion, answer.question_id),
        )
        if question is None or question.consultation_id != row.id:
            raise NotFound(NO_QUESTION)
        values = validate(question, answer.choices, answer.scale, answer.text, answer.skipped)
        return Checked(answer, row, member.id, question, values)

    async def _once(self, key: tuple[object, ...], load: Callable[[], Awaitable[Any]]) -> Any:
        """Return what `load` gives, loaded once per round (a refusal is kept and raised again)."""
        found = self._round_cache.get(key, _MISSING)
        if found is _MISSING:
            try:
                found = await load()
            except ServiceError as refusal:
                found = refusal
            self._round_cache[key] = found
        if isinstance(found, ServiceError):
            raise found
        return found


def _who(c: Checked) -> dict[str, Any]:
    """Return how a respondent is found: by key (anonymous) or by member (named)."""
    if c.row.anonymous:
        assert c.row.secret is not None  # open consultations always have their secret
        return {"key": respondent_key(c.row.secret, c.answer.actor.user_id), "member_id": None}
    return {"key": None, "member_id": c.member_id}


def _found_as(row_key: str | None, member_id: int | None) -> object:
    return row_key if row_key is not None else member_id


async def _find_respondents(
    s: AsyncSession, ok: list[Checked], who: dict[int, dict[str, Any]]
) -> dict[tuple[int, object], str]:
    """Return the respondent rows of a round's answerers, by (consultation, key or member)."""
    R = ConsultationRespondent
    keys = [w["key"] for w in who.values() if w["key"] is not None]
    members = [w["member_id"] for w in who.values() if w["member_id"] is not None]
    found = await s.execute(
        select(R.id, R.consultation_id, R.key, R.member_id).where(
            R.consultation_id.in_({c.row.id for c in ok}),
            or_(R.key.in_(keys), R.member_id.in_(members)),
        )
    )
    return {(r.consultation_id, _found_as(r.key, r.member_id)): r.id for r in found}


async def _respondents(s: AsyncSession, ok: list[Checked]) -> dict[int, str]:
    """Make sure each answerer of a round has a respondent row; return its id per answer."""
    if not ok:
        return {}
    who = {id(c): _who(c) for c in ok}

    def at(c: Checked) -> tuple[int, object]:
        return c.row.id, _found_as(who[id(c)]["key"], who[id(c)]["member_id"])

    # Most answers come from people already answering: look first, add only who is missing.
    found = await _find_respondents(s, ok, who)
    missing = [c for c in ok if at(c) not in found]
    table = ConsultationRespondent.__table__
    for anonymous, unique in ((True, "key"), (False, "member_id")):
        rows = [
            {"id": secrets.token_hex(16), "consultation_id": c.row.id, **who[id(c)]}
            for c in missing
            if c.row.anonymous == anonymous
        ]
        if rows:
            stmt = insert_for(s, table).on_conflict_do_nothing(
                index_elements=["consultation_id", unique]
            )
            await s.execute(stmt, in_key_order(rows, ["consultation_id", unique]))
    if missing:
        found |= await _find_respondents(s, missing, {id(c): who[id(c)] for c in missing})
    return {id(c): found[at(c)] for c in ok}


async def _write_answers(s: AsyncSession, ok: list[Checked], respondents: dict[int, str]) -> None:
    """Write (or replace) every answer of a round in one statement."""
    if not ok:
        return
    upsert = insert_for(s, ConsultationAnswer.__table__)
    upsert = upsert.on_conflict_do_update(
        index_elements=["respondent_id", "question_id"],
        set_={name: upsert.excluded[name] for name in ("choices", "scale", "text", "skipped")},
    )
    rows = [
        {"respondent_id": respondents[id(c)], "question_id": c.question.id, **c.values} for c in ok
    ]
    await s.execute(upsert, in_key_order(rows, ["respondent_id", "question_id"]))


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
    # An anonymous consultation's contribution gets the opening time, not the answer time.
    firsts = [
        (
            c.row.guild_id,
            c.member_id,
            f"consultation:{c.row.id}",
            c.row.opened_at if c.row.anonymous and c.row.opened_at else now,
        )
        for c in ok
        if (c.row.id, c.member_id) in first
    ]
    await record_contributions(s, ContributionKind.CONSULTATION_RESPONSE, firsts)
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
