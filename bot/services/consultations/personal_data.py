"""Consultations in /mydata and /forgetme: named answers, suggestions and participation.

Every erasure statement names the server (directly, or through its consultations or this
server's member row): /forgetme in one server must never touch another server's rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationFeedback,
    ConsultationParticipant,
    ConsultationQuestion,
    ConsultationRespondent,
    ConsultationSuggestion,
    OutboxItem,
)
from bot.services.consultations.answering import respondent_key
from bot.services.consultations.owed import KINDS
from bot.services.consultations.results import answer_text
from bot.services.outbox import FAILED, PENDING

ERASED = "the person asked for their data to be erased"
ANONYMOUS_NOTE = (
    "You took part in this anonymous consultation. Your answers are stored without any link "
    "to you, so they can't be shown here (or told apart from anyone else's)."
)


class ConsultationPersonalData:
    """Export and erase what consultations hold about one member."""

    section = "consultations"

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return named answers, suggestions and the consultations taken part in."""
        taken = await session.execute(
            select(Consultation.id, Consultation.title, Consultation.anonymous)
            .join(ConsultationParticipant)
            .where(ConsultationParticipant.member_id == member_id)
            .order_by(Consultation.id)
        )
        named = await session.execute(
            select(Consultation.title, ConsultationQuestion, ConsultationAnswer)
            .join(
                ConsultationRespondent,
                ConsultationRespondent.id == ConsultationAnswer.respondent_id,
            )
            .join(Consultation, Consultation.id == ConsultationRespondent.consultation_id)
            .join(ConsultationQuestion, ConsultationQuestion.id == ConsultationAnswer.question_id)
            .where(ConsultationRespondent.member_id == member_id)
            .order_by(Consultation.id, ConsultationQuestion.position)
        )
        suggestions = await session.execute(
            select(Consultation.title, ConsultationSuggestion)
            .join(Consultation, Consultation.id == ConsultationSuggestion.consultation_id)
            .where(ConsultationSuggestion.member_id == member_id)
            .order_by(ConsultationSuggestion.id)
        )
        return {
            "took_part_in": [
                {"consultation": title, "anonymous": anonymous}
                | ({"note": ANONYMOUS_NOTE} if anonymous else {})
                for _, title, anonymous in taken.all()
            ],
            "named_answers": [
                {
                    "consultation": title,
                    "question": question.text,
                    "answer": answer_text(question.kind, question.options, answer),
                }
                for title, question, answer in named.all()
            ],
            "suggested_questions": [
                {
                    "consultation": title,
                    "suggestion": suggestion.text,
                    "status": suggestion.status,
                    "suggested_at": suggestion.suggested_at.isoformat(),
                }
                for title, suggestion in suggestions.all()
            ],
        }

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Delete named answers and suggestions; unlink participation and anonymous keys."""
        respondents = select(ConsultationRespondent.id).where(
            ConsultationRespondent.member_id == member_id
        )
        await session.execute(
            delete(ConsultationAnswer).where(ConsultationAnswer.respondent_id.in_(respondents))
        )
        await session.execute(
            delete(ConsultationRespondent).where(ConsultationRespondent.member_id == member_id)
        )
        # An open anonymous consultation can still find this person's row through the HMAC;
        # replacing the key makes their (anonymous) answers unreachable from them too.
        open_anonymous = await session.execute(
            select(Consultation.id, Consultation.secret).where(
                Consultation.guild_id == guild_id,
                Consultation.anonymous.is_(True),
                Consultation.secret.is_not(None),
            )
        )
        for consultation_id, secret in open_anonymous.all():
            await session.execute(
                update(ConsultationRespondent)
                .where(
                    ConsultationRespondent.consultation_id == consultation_id,
                    ConsultationRespondent.key == respondent_key(secret, user_id),
                )
                .values(key=None)
            )
        await session.execute(
            delete(ConsultationParticipant).where(ConsultationParticipant.member_id == member_id)
        )
        await session.execute(
            delete(ConsultationSuggestion).where(ConsultationSuggestion.member_id == member_id)
        )
        # If the person also acted as staff, their Discord id goes from what they did.
        in_guild = select(Consultation.id).where(Consultation.guild_id == guild_id)
        for column in (Consultation.created_by, Consultation.closed_by):
            await session.execute(
                update(Consultation)
                .where(Consultation.guild_id == guild_id, column == user_id)
                .values({column.key: None})
            )
        for parent, by in (
            (ConsultationSuggestion.consultation_id, ConsultationSuggestion.decided_by),
            (ConsultationFeedback.consultation_id, ConsultationFeedback.published_by),
        ):
            await session.execute(
                update(by.class_).where(parent.in_(in_guild), by == user_id).values({by.key: None})
            )
        await _forget_owed(session, guild_id, member_id)


async def _forget_owed(session: AsyncSession, guild_id: int, member_id: int) -> None:
    """Drop the person's Discord id from consultation DMs owed to them; cancel any not yet sent.

    The DMs went to the person alone, so there is nothing in a channel to redact.
    """
    about = (
        OutboxItem.guild_id == guild_id,
        OutboxItem.subject_member_id == member_id,
        OutboxItem.kind.in_(KINDS),
    )
    await session.execute(
        update(OutboxItem)
        .where(*about, OutboxItem.status == PENDING)
        .values(status=FAILED, last_error=ERASED, lease_until=None)
    )
    await session.execute(update(OutboxItem).where(*about).values(payload={}))
