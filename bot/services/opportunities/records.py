"""An opportunity as shown, and the lookups every part shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Opportunity, OutboxItem
from bot.services.audience import Audience
from bot.services.base import in_guild, view_from
from bot.services.errors import NotAllowed
from bot.services.opportunities.rules import KINDS
from bot.settings import Settings

POSTED = "opportunities.posted"
CLOSED = "opportunities.closed"
CLOSED_WORKERS = "opportunities.closed_workers"
SELECTED = "opportunities.selected"


@dataclass(frozen=True)
class OpportunityView:
    """An opportunity with everything a member needs to decide, in plain values."""

    id: int
    guild_id: int
    kind: str
    kind_label: str
    title: str
    involves: str
    who: str  # who it suits, in plain words
    audience: Audience
    payment: str
    hours: Decimal | None
    happens_at: datetime
    closes_at: datetime
    closed: bool
    created_at: datetime
    channel_id: int | None = None
    message_id: int | None = None

    @property
    def is_open(self) -> bool:
        """Tell whether people can still say they are interested."""
        return not self.closed


def who_it_suits(row: Opportunity, settings: Settings) -> str:
    """Say who an opportunity suits: the level or area, then the worker's words."""
    audience = Audience.of(row)
    described = audience.describe(settings)
    parts = [] if row.audience_kind == "everyone" else [described[:1].upper() + described[1:]]
    if row.suits:
        parts.append(row.suits)
    return "; ".join(parts) or "Everyone in the group"


def view_of(
    row: Opportunity,
    settings: Settings,
    *,
    now: datetime | None = None,
    where: tuple[int, int] | None = None,
) -> OpportunityView:
    """Return the shown form of a stored opportunity."""
    closed = row.closed_at is not None or (now is not None and row.closes_at <= now)
    return view_from(
        OpportunityView,
        row,
        kind_label=KINDS.get(row.kind, row.kind),
        who=who_it_suits(row, settings),
        audience=Audience.of(row),
        closed=closed,
        channel_id=where[0] if where else row.channel_id,
        message_id=where[1] if where else None,
    )


async def find(s: AsyncSession, guild_id: int, opportunity_id: int) -> Opportunity:
    """Return an opportunity of this server, or say it is not there."""
    missing = "I couldn't find that opportunity. It may have been removed."
    return await in_guild(s, Opportunity, opportunity_id, guild_id, missing)


async def posted_at(s: AsyncSession, opportunity_id: int) -> tuple[int, int] | None:
    """Return where the announcement went (channel, message), once Discord confirmed it."""
    row = (
        await s.execute(
            select(OutboxItem.channel_id, OutboxItem.message_id).where(
                OutboxItem.dedup_key == f"{POSTED}:{opportunity_id}"
            )
        )
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return int(row[0]), int(row[1])


async def member_of(s: AsyncSession, guild_id: int, user_id: int) -> Member:
    """Return the approved member behind a Discord user, or say they are not one."""
    member = await s.scalar(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    if member is None or member.status not in {"approved", "paused"}:
        raise NotAllowed("That person isn't a member of the group.")
    return member
