"""What every consultation module shares: limits, views, loading and audience checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import AuditEntry, Consultation, ConsultationQuestion, GuildConfig, Member
from bot.services.access import Actor
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.settings import Settings

TITLE_MAX = 100
TEXT_MAX = 1000  # purpose, outcomes, limits, free-text answers, feedback texts
ANSWER_MAX = 1000
SCALE_MIN, SCALE_MAX = 1, 5
DEFAULT_REVIEW_DAYS = 28
MAX_DEADLINE_DAYS = 365
MAX_REVIEW_AFTER_DEADLINE_DAYS = 365
AUDIENCE_EVERYONE = "everyone"


@dataclass(frozen=True)
class QuestionView:
    """A question as shown to workers and members."""

    id: int
    position: int
    kind: str
    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ConsultationView:
    """A consultation's details, without anyone's answers."""

    id: int
    guild_id: int
    title: str
    purpose: str
    outcomes: str
    can_change: str
    cannot_change: str
    deadline: datetime
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


@dataclass(frozen=True)
class Channels:
    """Where consultation news goes in a server."""

    announcements_channel_id: int | None
    worker_log_channel_id: int | None


class ConsultationBase:
    """Settings, sessions and clock, plus the loading and checks every part uses."""

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock

    async def channels(self, guild_id: int) -> Channels:
        """Return the announcements and worker-log channels /setup made."""
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, guild_id)
            if config is None:
                return Channels(None, None)
            return Channels(config.announcements_channel_id, config.worker_log_channel_id)

    async def _load(self, s: AsyncSession, guild_id: int, consultation_id: int) -> Consultation:
        row = await s.get(Consultation, consultation_id)
        if row is None or row.guild_id != guild_id:
            raise NotFound("I can't find that consultation. Check the number and try again.")
        return row

    async def _questions(self, s: AsyncSession, consultation_id: int) -> list[ConsultationQuestion]:
        rows = await s.scalars(
            select(ConsultationQuestion)
            .where(ConsultationQuestion.consultation_id == consultation_id)
            .order_by(ConsultationQuestion.position)
        )
        return list(rows)

    async def _count(self, s: AsyncSession, consultation_id: int) -> int:
        count = await s.scalar(
            select(func.count())
            .select_from(ConsultationQuestion)
            .where(ConsultationQuestion.consultation_id == consultation_id)
        )
        return int(count or 0)

    async def _view(self, s: AsyncSession, row: Consultation) -> ConsultationView:
        questions = await self._questions(s, row.id)
        return ConsultationView(
            id=row.id,
            guild_id=row.guild_id,
            title=row.title,
            purpose=row.purpose,
            outcomes=row.outcomes,
            can_change=row.can_change,
            cannot_change=row.cannot_change,
            deadline=row.deadline,
            review_date=row.review_date,
            audience=row.audience,
            audience_label=self.audience_label(row.audience),
            anonymous=row.anonymous,
            status=row.status,
            template=row.template,
            questions_locked=row.questions_locked,
            questions=tuple(question_view(q) for q in questions),
            opened_at=row.opened_at,
            closed_at=row.closed_at,
        )

    def _audit(self, s: AsyncSession, actor: Actor, action: str, consultation_id: int) -> None:
        s.add(
            AuditEntry(
                guild_id=actor.guild_id,
                actor_user_id=actor.user_id,
                action=action,
                detail=f"consultation {consultation_id}",
                at=self.clock.now(),
            )
        )

    # ---- audiences -------------------------------------------------------------------------

    def check_audience(self, audience: str) -> str:
        """Return a valid audience ('everyone', 'locality:X', 'level:Y') or explain."""
        value = (audience or AUDIENCE_EVERYONE).strip()
        if value.casefold() == AUDIENCE_EVERYONE:
            return AUDIENCE_EVERYONE
        kind, _, name = value.partition(":")
        if kind == "locality" and name in self.settings.group.localities:
            return value
        if kind == "level" and name in {lvl.key for lvl in self.settings.ladder.levels}:
            return value
        areas = ", ".join(self.settings.group.localities)
        levels = ", ".join(lvl.key for lvl in self.settings.ladder.levels)
        raise InvalidInput(
            "Please choose who this is for: everyone, an area "
            f"(locality: {areas}) or a level ({levels})."
        )

    def audience_label(self, audience: str) -> str:
        """Return plain words for an audience."""
        kind, _, name = audience.partition(":")
        if kind == "locality":
            return f"members in {name}"
        if kind == "level":
            names = {lvl.key: lvl.name for lvl in self.settings.ladder.levels}
            return f"members at the {names.get(name, name)} level"
        return "all members"

    def audience_filter(self, audience: str) -> list[object]:
        """Return SQL conditions on Member for who is in an audience."""
        kind, _, name = audience.partition(":")
        if kind == "locality":
            return [Member.locality == name]
        if kind == "level":
            return [Member.level_key == name]
        return []

    def in_audience(self, member: Member, audience: str) -> bool:
        """Tell whether a member belongs to an audience."""
        kind, _, name = audience.partition(":")
        if kind == "locality":
            return member.locality == name
        if kind == "level":
            return member.level_key == name
        return True

    def require_in_audience(self, member: Member, row: Consultation) -> None:
        """Refuse members outside the consultation's audience."""
        if not self.in_audience(member, row.audience):
            raise NotAllowed(
                f"This consultation is for {self.audience_label(row.audience)}, "
                "so it isn't open to you. Thank you for wanting to take part."
            )

    async def audience_size(self, s: AsyncSession, guild_id: int, audience: str) -> int:
        """Count the approved members an audience reaches now."""
        conditions = self.audience_filter(audience)
        count = await s.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.guild_id == guild_id, Member.status == "approved", *conditions)  # type: ignore[arg-type]
        )
        return int(count or 0)


def question_view(q: ConsultationQuestion) -> QuestionView:
    """Return the view of a question row."""
    return QuestionView(q.id, q.position, q.kind, q.text, tuple(q.options or ()))
