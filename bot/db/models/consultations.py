"""Consultations: drafts, questions, suggestions, answers, participation and feedback.

Anonymity is a property of the storage, not of the queries (see
bot/services/consultations_answering.py for the whole design): answers hang off a
`ConsultationRespondent` row whose id is random and which, in an anonymous consultation,
carries no member id and no time; `ConsultationParticipant` says who took part and has
no link to any respondent or answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, cascade, set_null


class Consultation(ServerRow, Base):
    """A consultation from draft to "you said, we did"."""

    __tablename__ = "consultations"

    title: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text)
    outcomes: Mapped[str] = mapped_column(Text)
    can_change: Mapped[str] = mapped_column(Text)
    cannot_change: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    review_date: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    audience_kind: Mapped[str] = mapped_column(String(16))  # everyone | locality | level
    audience_value: Mapped[str | None] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)  # draft | open | closed
    template: Mapped[str | None] = mapped_column(String(32))
    # Set by the first answer; question edits check it in the same row (so they serialise).
    questions_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Anonymous only: the HMAC key that finds a member's respondent row; erased at close.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    audience_size_at_close: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    closed_by: Mapped[int | None] = mapped_column(Snowflake)
    review_reminded_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class ConsultationQuestion(Base):
    """One question; options are stored in order and answers refer to them by index."""

    __tablename__ = "consultation_questions"
    __table_args__ = (UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = cascade("consultations.id", index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # single | multiple | scale | text
    text: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)


class ConsultationSuggestion(Base):
    """A question a member suggested while the consultation was a draft."""

    __tablename__ = "consultation_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = cascade("consultations.id", index=True)
    member_id: Mapped[int | None] = set_null("members.id", index=True)
    text: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))  # pending | accepted | declined
    question_id: Mapped[int | None] = set_null("consultation_questions.id")
    suggested_at: Mapped[datetime] = mapped_column(TZDateTime)
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class ConsultationRespondent(Base):
    """One set of answers. Random id; member_id only in named consultations; no times."""

    __tablename__ = "consultation_respondents"
    # Named by hand: the naming convention would give both the same name (PostgreSQL refuses).
    __table_args__ = (
        UniqueConstraint("consultation_id", "member_id", name="uq_consultation_respondents_member"),
        UniqueConstraint("consultation_id", "key", name="uq_consultation_respondents_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[int] = cascade("consultations.id", index=True)
    member_id: Mapped[int | None] = cascade("members.id")
    # Anonymous only, while open: HMAC(consultation secret, user id), hex. NULL after close.
    key: Mapped[str | None] = mapped_column(String(64))


class ConsultationAnswer(Base):
    """One respondent's answer to one question; changed in place until the deadline."""

    __tablename__ = "consultation_answers"

    respondent_id: Mapped[str] = cascade("consultation_respondents.id", primary_key=True)
    question_id: Mapped[int] = cascade("consultation_questions.id", primary_key=True)
    choices: Mapped[list[int] | None] = mapped_column(JSON)
    scale: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsultationParticipant(Base):
    """Who took part (for counts and feedback DMs); deliberately unlinked from answers."""

    __tablename__ = "consultation_participants"

    consultation_id: Mapped[int] = cascade("consultations.id", primary_key=True)
    member_id: Mapped[int] = cascade("members.id", primary_key=True)


class ConsultationFeedback(Base):
    """The published "you said, we did" (one per consultation, so publishing is once)."""

    __tablename__ = "consultation_feedback"

    consultation_id: Mapped[int] = cascade("consultations.id", primary_key=True)
    said: Mapped[str] = mapped_column(Text)
    did: Mapped[str] = mapped_column(Text)
    could_not: Mapped[str] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(Snowflake)
    published_at: Mapped[datetime] = mapped_column(TZDateTime)
    days_to_feedback: Mapped[int] = mapped_column(Integer)
