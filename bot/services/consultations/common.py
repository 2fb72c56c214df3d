"""What every consultation part shares: limits, views, loading, counting and audience checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation, ConsultationParticipant, ConsultationQuestion, Member
from bot.services.audience import Audience
from bot.services.base import Service, in_guild, view_from
from bot.services.errors import InvalidInput, NotAllowed
from bot.settings import Settings

TITLE_MAX = 100
TEXT_MAX = 1000  # purpose, outcomes, limits, free-text answers, feedback texts
ANSWER_MAX = 1000
SCALE_MIN, SCALE_MAX = 1, 5
DEFAULT_REVIEW_DAYS = 28
MAX_DEADLINE_DAYS = 365
MAX_REVIEW_AFTER_DEADLINE_DAYS = 365
# Who a consultation reaches: approved members (paused ones are not asked).
REACHED = ("approved",)


@dataclass(frozen=True)
class QuestionView:
    """A question as shown to workers and members."""

    id: int
    position: int
    kind: str
    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ConsultationDetails:
    """What a consultation tells people: what it is about, why, its limits and its deadline."""

    title: str
    purpose: str
    outcomes: str
    can_change: str
    cannot_change: str
    deadline: datetime


@dataclass(frozen=True)
class ConsultationView(ConsultationDetails):
    """A consultation's details, without anyone's answers."""

    id: int
    guild_id: int
    review_date: datetime
    audience: str
    audience_label: str
    anonymous: bool
    status: str
    template: str | None
    questions_locked: bool
    questions: tuple[QuestionView, ...]
    opened_at: datetime | None
    closed_at: datetime | None


def check_audience(text: str | None, settings: Settings) -> Audience:
    """Read an audience in its one-string form, or explain the choices in consultation words."""
    try:
        return Audience.parse(text, settings)
    except InvalidInput as exc:
        areas = ", ".join(settings.group.localities)
        levels = ", ".join(level.key for level in settings.ladder.levels)
        raise InvalidInput(
            "Please choose who this is for: everyone, an area "
            f"(locality: {areas}) or a level ({levels})."
        ) from exc


def describe(audience: Audience, settings: Settings) -> str:
    """Say in plain words whom a consultation asks ("all members", "members in North")."""
    return audience.describe(settings, everyone="all members")


class InAudience(Protocol):
    """What the audience check needs of a member: a row, or just its columns."""

    @property
    def locality(self) -> str: ...
    @property
    def level_key(self) -> str | None: ...


def require_in_audience(member: Member | InAudience, row: Consultation, settings: Settings) -> None:
    """Refuse members outside the consultation's audience."""
    audience = Audience.of(row)
    if not audience.includes(member):
        raise NotAllowed(
            f"This consultation is for {describe(audience, settings)}, "
            "so it isn't open to you. Thank you for wanting to take part."
        )


async def _count(s: AsyncSession, column: Any, consultation_id: int) -> int:
    count = await s.scalar(select(func.count()).where(column == consultation_id))
    return int(count or 0)


async def participants(s: AsyncSession, consultation_id: int) -> int:
    """Count the people who took part (answered at least one question)."""
    return await _count(s, ConsultationParticipant.consultation_id, consultation_id)


async def question_count(s: AsyncSession, consultation_id: int) -> int:
    """Count a consultation's questions."""
    return await _count(s, ConsultationQuestion.consultation_id, consultation_id)


def question_view(q: ConsultationQuestion) -> QuestionView:
    """Return the view of a question row."""
    return QuestionView(q.id, q.position, q.kind, q.text, tuple(q.options or ()))


class ConsultationBase(Service):
    """The shared service base, plus the loading every consultation part uses."""

    async def _load(self, s: AsyncSession, guild_id: int, consultation_id: int) -> Consultation:
        missing = "I can't find that consultation. Check the number and try again."
        return await in_guild(s, Consultation, consultation_id, guild_id, missing)

    async def _view(self, s: AsyncSession, row: Consultation) -> ConsultationView:
        questions = await s.scalars(
            select(ConsultationQuestion)
            .where(ConsultationQuestion.consultation_id == row.id)
            .order_by(ConsultationQuestion.position)
        )
        audience = Audience.of(row)
        return view_from(
            ConsultationView,
            row,
            audience=audience.text(),
            audience_label=describe(audience, self.settings_for(row.guild_id)),
            questions=tuple(question_view(q) for q in questions),
        )
