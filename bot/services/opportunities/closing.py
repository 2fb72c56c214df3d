"""Closing each opportunity on its date, once: interest stops and its redraws are owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, Opportunity, OpportunityInterest
from bot.services.base import Service, claim
from bot.services.opportunities.records import CLOSED, CLOSED_WORKERS


@dataclass(frozen=True)
class OpportunityClosed:
    """An opportunity's date came: interest is closed and its announcement is owed an update."""

    opportunity_id: int
    guild_id: int
    interested: int


class OpportunityClosing(Service):
    """Opportunities whose date has come: closed once each, owing the redraw and workers' note."""

    async def next_close(self) -> datetime | None:
        """Return when the next open opportunity closes."""
        return await self.earliest(
            select(func.min(Opportunity.closes_at)).where(Opportunity.closed_at.is_(None))
        )

    async def take_closes(self, now: datetime) -> list[OpportunityClosed]:
        """Close every opportunity whose date has come, each once, owing its redraw."""
        async with self.db.begin() as s:
            due = list(
                await s.scalars(
                    select(Opportunity.id)
                    .where(Opportunity.closed_at.is_(None), Opportunity.closes_at <= now)
                    .order_by(Opportunity.closes_at, Opportunity.id)
                )
            )
        closed: list[OpportunityClosed] = []
        for opportunity_id in due:
            async with self.db.begin() as s:
                event = await self._close(s, opportunity_id, now)
            if event is not None:
                closed.append(event)
        if closed:
            self.wake()
        return closed

    async def _close(
        self, s: AsyncSession, opportunity_id: int, now: datetime
    ) -> OpportunityClosed | None:
        won = await claim(
            s,
            update(Opportunity)
            .where(Opportunity.id == opportunity_id, Opportunity.closed_at.is_(None))
            .values(closed_at=now),
        )
        if not won:
            return None
        row = await s.get(Opportunity, opportunity_id)
        assert row is not None
        count = await s.scalar(
            select(func.count())
            .select_from(OpportunityInterest)
            .where(OpportunityInterest.opportunity_id == opportunity_id)
        )
        about = {"opportunity_id": row.id}
        await self.owe_once(s, CLOSED, row.id, guild_id=row.guild_id, payload=about)
        config = await s.get(GuildConfig, row.guild_id)
        channel_id = config.worker_log_channel_id if config else None
        payload = {**about, "interested": int(count or 0), "channel_id": channel_id}
        await self.owe_once(s, CLOSED_WORKERS, row.id, guild_id=row.guild_id, payload=payload)
        return OpportunityClosed(row.id, row.guild_id, int(count or 0))
