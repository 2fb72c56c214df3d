"""Helpers shared by the engagement service tests (no tests here)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import Member
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.contributions import record_contribution

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def member_id(services: Services, actor: Actor) -> int:
    """Return the member id of an actor."""
    async with services.db() as s:
        found = await s.scalar(select(Member.id).where(Member.user_id == actor.user_id))
        assert found is not None
        return found


async def record(
    services: Services,
    actor: Actor,
    kind: ContributionKind,
    source: str,
    hours: Decimal | None = None,
) -> bool:
    """Record a contribution through the shared call, as other features do."""
    mid = await member_id(services, actor)
    now = services.clock.now()
    async with services.db.begin() as s:
        return await record_contribution(
            s,
            guild_id=actor.guild_id,
            member_id=mid,
            kind=kind,
            source_key=source,
            occurred_at=now,
            recorded_at=now,
            hours=hours,
        )


async def meet_working_together(services: Services, actor: Actor, clock: ManualClock) -> None:
    """Give a member what the second level asks: 3 poll votes, 1 session, 1 month."""
    for i in range(3):
        await record(services, actor, ContributionKind.POLL_VOTE, f"poll:{i}")
    await record(services, actor, ContributionKind.SESSION_ATTENDED, "session:1")
    clock.advance(timedelta(days=32))


async def set_level(services: Services, actor: Actor, level_key: str) -> None:
    """Put a member straight at a level (test set-up only)."""
    async with services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == actor.user_id))
        assert member is not None
        member.level_key = level_key
