"""Answering a consultation question by question, resumable, changeable until the deadline.

How anonymity holds by construction (anonymous consultations):

1. Answers hang off a `consultation_respondents` row whose primary key is 128 random bits
   (never a sequence, so its value says nothing about when it was made) and which has no
   member id and no timestamp. Answer rows have no id of their own and no timestamps.
2. While the consultation is open the bot must find a member's own row again (to resume and
   to change answers). The row carries `key = HMAC-SHA256(secret, user id)`, where `secret`
   is 32 random bytes kept on the consultation. Nothing a worker can run (commands, results,
   CSV) reads the key; results of an anonymous consultation are only shown after close, so
   nobody can watch the counts move as a particular person answers.
3. At close the secret is set to NULL and every key to NULL: the HMAC can never be
   recomputed, so from then on no data anywhere links a member to a respondent row. The
   respondent rows are also rewritten with fresh random ids in a shuffled order, so the
   physical/insertion order of rows (SQLite rowid, PostgreSQL ctid) can't be matched
   against the order of the contribution rows either.
4. Who took part is kept separately in `consultation_participants` (consultation id,
   member id: nothing else), used for response counts and for sending "you said, we did".
   It has no column in common with respondents or answers except the consultation id.
5. The contribution recorded for a first answer carries the consultation's opening time,
   not the moment of answering, so it can't be joined to anything by time either.
6. Nothing about answers is logged or written to the audit log.

Residual risk, stated honestly: someone with direct access to the database files while
the consultation is open (not a worker through the bot) could recompute the HMAC; and old
page contents may survive in database free space until it is reused or vacuumed.

Named consultations store the member id on the respondent row, so workers see names.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.contribution_kinds import ContributionKind
from bot.db.engine import reading
from bot.db.group_commit import GroupCommit
from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationParticipant,
    ConsultationQuestion,
    ConsultationRespondent,
    Member,
)
from bot.db.upsert import insert_for
from bot.services.access import Actor, require_member
from bot.services.audience import Audience
from bot.services.base import Wake, claim, insert_once
from bot.services.consultations.answer_rules import (
    JUST_CLOSED,
    NO_QUESTION,
    Answer,
    AnswerView,
    Saved,
    Step,
    check_answerable,
    respondent_key,
    step_of,
    validate,
)
from bot.services.consultations.common import ConsultationView, require_in_audience
from bot.services.consultations.saving import AnswerRounds
from bot.services.contributions import record_contribution
from bot.services.errors import NotFound
from bot.settings import Settings

__all__ = [
    "AnswerView",
    "ConsultationAnswering",
    "OpenConsultation",
    "Saved",
    "Step",
    "respondent_key",
]


@dataclass(frozen=True)
class OpenConsultation:
    """An open consultation a member can answer, with their progress."""

    consultation: ConsultationView
    answered: int
    total: int


class ConsultationAnswering(AnswerRounds):
    """Members answer; nothing here is reachable by workers.

    Showing a question only reads (`reading`): on SQLite a burst of "Take part" presses then
    never queues behind the answers being written.
    """

    def __init__(self, settings: Settings, db: Any, clock: Clock, wake: Wake | None = None):
        super().__init__(settings, db, clock, wake)
        # Answers arriving together are written together; see bot/db/group_commit.py.
        self._rounds: GroupCommit[Answer, Saved] = GroupCommit(
            self._save_together,
            self._save_alone,
            lambda a: (a.consultation_id, a.actor.user_id),
        )

    async def open_for_member(self, actor: Actor) -> list[OpenConsultation]:
        """List open consultations in the member's audience, with their progress."""
        now = self.clock.now()
        async with reading(self.db) as s:
            member = await require_member(s, actor, allow_paused=False)
            rows = await s.scalars(
                select(Consultation)
                .where(
                    Consultation.guild_id == actor.guild_id,
                    Consultation.status == "open",
                    Consultation.deadline > now,
                )
                .order_by(Consultation.deadline)
            )
            found = []
            for row in rows:
                if not Audience.of(row).includes(member):
                    continue
                view = await self._view(s, row)
                respondent = await self._find_respondent(s, row, member, actor.user_id)
                answers = await self._answers(s, respondent)
                found.append(OpenConsultation(view, len(answers), len(view.questions)))
            return found[:25]

    async def next_question(self, actor: Actor, consultation_id: int) -> Step:
        """Return the first unanswered question and the member's progress (resume point)."""
        async with reading(self.db) as s:
            row, member = await self._answerable(s, actor, consultation_id)
            respondent = await self._find_respondent(s, row, member, actor.user_id)
            return await self._step(s, row, respondent, None)

    async def question_at(self, actor: Actor, consultation_id: int, position: int) -> Step:
        """Return one question (by number) with the member's answer, to review or change it."""
        async with reading(self.db) as s:
            row, member = await self._answerable(s, actor, consultation_id)
            respondent = await self._find_respondent(s, row, member, actor.user_id)
            return await self._step(s, row, respondent, position)

    async def question_step(self, actor: Actor, consultation_id: int, question_id: int) -> Step:
        """Return the step for one question (by id), e.g. to open its answer form."""
        async with reading(self.db) as s:
            row, member = await self._answerable(s, actor, consultation_id)
            question = await s.get(ConsultationQuestion, question_id)
            if question is None or question.consultation_id != row.id:
                raise NotFound("That question is no longer in this consultation.")
            respondent = await self._find_respondent(s, row, member, actor.user_id)
            return await self._step(s, row, respondent, question.position)

    async def answer_choices(
        self, actor: Actor, consultation_id: int, question_id: int, indexes: Sequence[int]
    ) -> Saved:
        """Save a single- or multiple-choice answer (option numbers from 0)."""
        return await self._save(actor, consultation_id, question_id, choices=list(indexes))

    async def answer_scale(
        self, actor: Actor, consultation_id: int, question_id: int, value: int
    ) -> Saved:
        """Save a scale answer from 1 to 5."""
        return await self._save(actor, consultation_id, question_id, scale=value)

    async def answer_text(
        self, actor: Actor, consultation_id: int, question_id: int, text: str
    ) -> Saved:
        """Save a free-text answer of up to 1,000 characters."""
        return await self._save(actor, consultation_id, question_id, text=text)

    async def skip(self, actor: Actor, consultation_id: int, question_id: int) -> Saved:
        """Skip a question (it counts as done for progress but not in the results)."""
        return await self._save(actor, consultation_id, question_id, skipped=True)

    # ---- internals -------------------------------------------------------------------------

    async def _answerable(
        self, s: AsyncSession, actor: Actor, consultation_id: int
    ) -> tuple[Consultation, Member]:
        member = await require_member(s, actor, allow_paused=False)
        row = await self._load(s, actor.guild_id, consultation_id)
        require_in_audience(member, row, self.settings_for(row.guild_id))
        check_answerable(row, self.clock.now())
        return row, member

    async def _find_respondent(
        self, s: AsyncSession, row: Consultation, member: Member, user_id: int
    ) -> ConsultationRespondent | None:
        if row.anonymous:
            if row.secret is None:
                return None
            where = ConsultationRespondent.key == respondent_key(row.secret, user_id)
        else:
            where = ConsultationRespondent.member_id == member.id
        found: ConsultationRespondent | None = await s.scalar(
            select(ConsultationRespondent).where(
                ConsultationRespondent.consultation_id == row.id, where
            )
        )
        return found

    async def _ensure_respondent(
        self, s: AsyncSession, row: Consultation, member: Member, user_id: int
    ) -> ConsultationRespondent:
        if row.anonymous:
            assert row.secret is not None
            values: dict[str, object] = {
                "key": respondent_key(row.secret, user_id),
                "member_id": None,
            }
            conflict = ["consultation_id", "key"]
        else:
            values = {"key": None, "member_id": member.id}
            conflict = ["consultation_id", "member_id"]
        await insert_once(
            s,
            ConsultationRespondent,
            conflict,
            id=secrets.token_hex(16),
            consultation_id=row.id,
            **values,
        )
        found = await self._find_respondent(s, row, member, user_id)
        assert found is not None
        return found

    async def _answers(
        self, s: AsyncSession, respondent: ConsultationRespondent | None
    ) -> dict[int, AnswerView]:
        if respondent is None:
            return {}
        rows = await s.scalars(
            select(ConsultationAnswer).where(ConsultationAnswer.respondent_id == respondent.id)
        )
        return {
            a.question_id: AnswerView(tuple(a.choices or ()), a.scale, a.text, a.skipped)
            for a in rows
        }

    async def _step(
        self,
        s: AsyncSession,
        row: Consultation,
        respondent: ConsultationRespondent | None,
        position: int | None,
        after: int = 0,
    ) -> Step:
        view = await self._view(s, row)
        return step_of(view, await self._answers(s, respondent), position, after)

    async def _save(
        self,
        actor: Actor,
        consultation_id: int,
        question_id: int,
        *,
        choices: list[int] | None = None,
        scale: int | None = None,
        text: str | None = None,
        skipped: bool = False,
    ) -> Saved:
        """Save one answer with whatever else is being answered; return once committed."""
        picked = None if choices is None else tuple(choices)
        answer = Answer(actor, consultation_id, question_id, picked, scale, text, skipped)
        return await self._rounds.submit(answer)

    async def _save_alone(self, answer: Answer) -> Saved:
        """Save one answer in its own transaction (when its round could not be written)."""
        actor, consultation_id, question_id = (
            answer.actor,
            answer.consultation_id,
            answer.question_id,
        )
        choices, scale, text, skipped = answer.choices, answer.scale, answer.text, answer.skipped
        now = self.clock.now()
        async with self.db.begin() as s:
            row, member = await self._answerable(s, actor, consultation_id)
            question = await s.get(ConsultationQuestion, question_id)
            if question is None or question.consultation_id != row.id:
                raise NotFound(NO_QUESTION)
            values = validate(question, choices, scale, text, skipped)
            # One UPDATE both locks the questions and re-checks, in the same row lock as a
            # close or a question edit, that answers are still allowed.
            await claim(
                s,
                update(Consultation)
                .where(
                    Consultation.id == row.id,
                    Consultation.status == "open",
                    Consultation.deadline > now,
                )
                .values(questions_locked=True),
                JUST_CLOSED,
            )
            respondent = await self._ensure_respondent(s, row, member, actor.user_id)
            await s.execute(
                insert_for(s, ConsultationAnswer)
                .values(respondent_id=respondent.id, question_id=question.id, **values)
                .on_conflict_do_update(index_elements=["respondent_id", "question_id"], set_=values)
            )
            first = False
            if not skipped:
                first = await self._record_participation(s, row, member, now)
            await s.refresh(row)
            step = await self._step(s, row, respondent, None, after=question.position)
            return Saved(step, first)

    async def _record_participation(
        self, s: AsyncSession, row: Consultation, member: Member, now: datetime
    ) -> bool:
        unique = ["consultation_id", "member_id"]
        values = {"consultation_id": row.id, "member_id": member.id}
        if not await insert_once(s, ConsultationParticipant, unique, **values):
            return False
        # An anonymous consultation's contribution gets the opening time, not the answer time.
        when = row.opened_at if row.anonymous and row.opened_at else now
        await record_contribution(
            s,
            guild_id=row.guild_id,
            member_id=member.id,
            kind=ContributionKind.CONSULTATION_RESPONSE,
            source_key=f"consultation:{row.id}",
            occurred_at=when,
            recorded_at=when,
        )
        return True
