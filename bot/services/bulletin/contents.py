"""What goes in a bulletin: new opportunities, sessions coming up, recent "you said, we did"."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation, ConsultationFeedback, GroupSession, Opportunity
from bot.services.audience import Audience
from bot.services.opportunities import KINDS, who_it_suits
from bot.settings import Settings

MAX_ITEMS = 8
LOOK_BACK = timedelta(days=35)


@dataclass(frozen=True)
class BulletinOpportunity:
    """An opportunity in the bulletin."""

    id: int
    kind_label: str
    title: str
    happens_at: str  # ISO, aware UTC
    who: str
    payment: str


@dataclass(frozen=True)
class BulletinSession:
    """A session coming up."""

    id: int
    title: str
    starts_at: str  # ISO, aware UTC
    who: str


@dataclass(frozen=True)
class BulletinFeedback:
    """A recent "you said, we did"."""

    title: str
    said: str
    did: str


@dataclass(frozen=True)
class BulletinContents:
    """One bulletin as it is (or would be) sent; stored as JSON so every copy is the same."""

    month: str
    note: str | None = None
    opportunities: list[BulletinOpportunity] = field(default_factory=list)
    sessions: list[BulletinSession] = field(default_factory=list)
    feedback: list[BulletinFeedback] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the contents as JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BulletinContents:
        """Rebuild stored contents."""
        return cls(
            month=str(data["month"]),
            note=data.get("note"),
            opportunities=[BulletinOpportunity(**o) for o in data.get("opportunities", [])],
            sessions=[BulletinSession(**x) for x in data.get("sessions", [])],
            feedback=[BulletinFeedback(**f) for f in data.get("feedback", [])],
        )

    @property
    def empty(self) -> bool:
        """Tell whether there is nothing at all to say."""
        return not (self.note or self.opportunities or self.sessions or self.feedback)


async def gather(
    s: AsyncSession,
    guild_id: int,
    month: str,
    now: datetime,
    settings: Settings,
    *,
    since: datetime | None,
    note: str | None,
) -> BulletinContents:
    """Collect what is new since the last bulletin, and what is coming up, for one server."""
    config = settings.bulletin
    # What the last bulletin already told people is not news; the first one looks back a while.
    feedback_since = since or now - timedelta(days=config.feedback_days_back)
    since = since or now - LOOK_BACK
    opportunities = await s.scalars(
        select(Opportunity)
        .where(
            Opportunity.guild_id == guild_id,
            Opportunity.closed_at.is_(None),
            Opportunity.closes_at > now,
            Opportunity.created_at >= since,
        )
        .order_by(Opportunity.closes_at, Opportunity.id)
        .limit(MAX_ITEMS)
    )
    sessions = await s.scalars(
        select(GroupSession)
        .where(
            GroupSession.guild_id == guild_id,
            GroupSession.status == "scheduled",
            GroupSession.starts_at > now,
            GroupSession.starts_at <= now + timedelta(days=config.sessions_days_ahead),
        )
        .order_by(GroupSession.starts_at, GroupSession.id)
        .limit(MAX_ITEMS)
    )
    feedback = await s.execute(
        select(Consultation.title, ConsultationFeedback.said, ConsultationFeedback.did)
        .join(Consultation, Consultation.id == ConsultationFeedback.consultation_id)
        .where(
            Consultation.guild_id == guild_id,
            ConsultationFeedback.published_at >= feedback_since,
        )
        .order_by(ConsultationFeedback.published_at.desc())
        .limit(MAX_ITEMS)
    )
    return BulletinContents(
        month=month,
        note=note,
        opportunities=[
            BulletinOpportunity(
                o.id,
                KINDS.get(o.kind, o.kind),
                o.title,
                o.happens_at.isoformat(),
                who_it_suits(o, settings),
                o.payment,
            )
            for o in opportunities
        ],
        sessions=[
            BulletinSession(
                x.id,
                x.title,
                x.starts_at.isoformat(),
                Audience.of(x).describe(settings, "everyone"),
            )
            for x in sessions
        ],
        feedback=[BulletinFeedback(t, said, did) for t, said, did in feedback],
    )
