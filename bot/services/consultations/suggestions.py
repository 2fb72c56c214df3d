"""Co-production: members suggest questions for a draft; workers accept or decline them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation, ConsultationQuestion, ConsultationSuggestion, Member
from bot.services.access import Actor, require_member, require_worker
from bot.services.base import claim
from bot.services.consultations.common import (
    ConsultationBase,
    QuestionView,
    question_view,
    require_in_audience,
)
from bot.services.consultations.owed import SUGGESTION_DM
from bot.services.consultations.question_file import QUESTION_MAX
from bot.services.consultations.questions import ConsultationQuestions, clean_question
from bot.services.errors import Conflict, NotFound
from bot.services.text import clean_text

SUGGESTION_MAX = QUESTION_MAX
PENDING_SUGGESTIONS_PER_MEMBER = 5


@dataclass(frozen=True)
class SuggestionView:
    """A member's suggested question, as workers see it."""

    id: int
    consultation_id: int
    text: str
    status: str
    suggested_by: str | None
    question_id: int | None


@dataclass(frozen=True)
class SuggestionDecision:
    """What happened to a suggestion, and whom to tell (if they opted into DMs)."""

    suggestion: SuggestionView
    consultation_title: str
    question: QuestionView | None
    notify_user_id: int | None


class ConsultationSuggestions(ConsultationBase):
    """Questions suggested by members, decided by workers (accepted ones become questions)."""

    def __init__(self, questions: ConsultationQuestions) -> None:
        super().__init__(questions.settings, questions.db, questions.clock, questions.wake)
        self.questions = questions

    async def suggest(self, actor: Actor, consultation_id: int, text: str) -> SuggestionView:
        """Let a member in the audience suggest a question while it is a draft."""
        cleaned = clean_text(text, field="your suggested question", max_length=SUGGESTION_MAX)
        assert cleaned is not None
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor, allow_paused=False)
            row = await self._load(s, actor.guild_id, consultation_id)
            require_in_audience(member, row, self.settings_for(row.guild_id))
            if row.status != "draft":
                raise Conflict(
                    "Questions can only be suggested while the consultation is being drafted. "
                    "It's open now, so you can answer it instead."
                )
            pending = await s.scalar(
                select(func.count())
                .select_from(ConsultationSuggestion)
                .where(
                    ConsultationSuggestion.consultation_id == row.id,
                    ConsultationSuggestion.member_id == member.id,
                    ConsultationSuggestion.status == "pending",
                )
            )
            if int(pending or 0) >= PENDING_SUGGESTIONS_PER_MEMBER:
                raise Conflict(
                    f"You already have {PENDING_SUGGESTIONS_PER_MEMBER} suggestions waiting for "
                    "a worker. Thank you! Please wait until they have been looked at."
                )
            suggestion = ConsultationSuggestion(
                consultation_id=row.id,
                member_id=member.id,
                text=cleaned,
                status="pending",
                suggested_at=now,
            )
            s.add(suggestion)
            await s.flush()
            return SuggestionView(
                suggestion.id, row.id, cleaned, "pending", member.preferred_name, None
            )

    async def suggestion(self, actor: Actor, suggestion_id: int) -> SuggestionView:
        """Return one suggestion to a worker."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            found = await s.get(ConsultationSuggestion, suggestion_id)
            if found is None:
                raise NotFound("I can't find that suggestion (it may have been withdrawn).")
            row = await self._load(s, actor.guild_id, found.consultation_id)
            member = await s.get(Member, found.member_id) if found.member_id else None
            return SuggestionView(
                found.id,
                row.id,
                found.text,
                found.status,
                member.preferred_name if member else None,
                found.question_id,
            )

    async def suggestions(
        self, actor: Actor, consultation_id: int, status: str | None = "pending"
    ) -> list[SuggestionView]:
        """List a consultation's suggestions for workers."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = await self._load(s, actor.guild_id, consultation_id)
            query = (
                select(ConsultationSuggestion, Member.preferred_name)
                .outerjoin(Member, Member.id == ConsultationSuggestion.member_id)
                .where(ConsultationSuggestion.consultation_id == row.id)
                .order_by(ConsultationSuggestion.id)
            )
            if status is not None:
                query = query.where(ConsultationSuggestion.status == status)
            return [
                SuggestionView(sg.id, row.id, sg.text, sg.status, name, sg.question_id)
                for sg, name in (await s.execute(query)).all()
            ]

    async def _decide(
        self, s: AsyncSession, actor: Actor, suggestion_id: int, status: str
    ) -> tuple[ConsultationSuggestion, Consultation, Member | None]:
        await require_worker(s, actor)
        suggestion = await s.get(ConsultationSuggestion, suggestion_id)
        if suggestion is None:
            raise NotFound("I can't find that suggestion (it may have been withdrawn).")
        row = await self._load(s, actor.guild_id, suggestion.consultation_id)
        # The WHERE on status makes two workers (or a double click) decide once.
        won = await claim(
            s,
            update(ConsultationSuggestion)
            .where(
                ConsultationSuggestion.id == suggestion_id,
                ConsultationSuggestion.status == "pending",
            )
            .values(status=status, decided_by=actor.user_id, decided_at=self.clock.now()),
        )
        if not won:
            await s.refresh(suggestion)
            raise Conflict(f"This suggestion has already been {suggestion.status}.")
        await s.refresh(suggestion)
        member = await s.get(Member, suggestion.member_id) if suggestion.member_id else None
        return suggestion, row, member

    async def _thank(
        self, s: AsyncSession, suggestion: ConsultationSuggestion, row: Consultation, member: Member
    ) -> None:
        """Owe the member a thank-you DM for their suggestion, if they asked for DMs."""
        if not member.dm_opt_in:
            return
        await self.owe(
            s,
            guild_id=row.guild_id,
            kind=SUGGESTION_DM,
            payload={
                "user_id": member.user_id,
                "title": row.title,
                "accepted": suggestion.status == "accepted",
            },
            dedup_key=f"{SUGGESTION_DM}:{suggestion.id}",
            subject_member_id=member.id,
        )

    def _decision(
        self,
        suggestion: ConsultationSuggestion,
        row: Consultation,
        member: Member | None,
        question: QuestionView | None,
    ) -> SuggestionDecision:
        notify = member.user_id if member is not None and member.dm_opt_in else None
        view = SuggestionView(
            suggestion.id,
            row.id,
            suggestion.text,
            suggestion.status,
            member.preferred_name if member else None,
            suggestion.question_id,
        )
        return SuggestionDecision(view, row.title, question, notify)

    async def accept_suggestion(
        self,
        actor: Actor,
        suggestion_id: int,
        kind: str = "text",
        options: Sequence[str] = (),
        text: str | None = None,
    ) -> SuggestionDecision:
        """Turn a suggestion into a question (a worker may reword it and choose its type)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            existing = await s.get(ConsultationSuggestion, suggestion_id)
            if existing is None:
                raise NotFound("I can't find that suggestion (it may have been withdrawn).")
            resolved, wording, cleaned = clean_question(kind, text or existing.text, options)
            row = await self.questions.editable(s, actor, existing.consultation_id)
            if row.status != "draft":
                raise Conflict("Suggestions can only be accepted while it is a draft.")
            position = await self.questions.next_position(s, row)
            suggestion, row, member = await self._decide(s, actor, suggestion_id, "accepted")
            question = ConsultationQuestion(
                consultation_id=row.id,
                position=position,
                kind=resolved,
                text=wording,
                options=cleaned,
            )
            s.add(question)
            await s.flush()
            suggestion.question_id = question.id
            if member is not None:
                await self._thank(s, suggestion, row, member)
            decision = self._decision(suggestion, row, member, question_view(question))
        self.wake()
        return decision

    async def decline_suggestion(self, actor: Actor, suggestion_id: int) -> SuggestionDecision:
        """Decline a suggestion (the member is thanked either way)."""
        async with self.db.begin() as s:
            suggestion, row, member = await self._decide(s, actor, suggestion_id, "declined")
            if member is not None:
                await self._thank(s, suggestion, row, member)
            decision = self._decision(suggestion, row, member, None)
        self.wake()
        return decision
