"""Support figures for reports: counts and median response times (erased people still count)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SupportRequest
from bot.services.base import Service
from bot.services.support.records import KINDS, WITHDRAWN


@dataclass(frozen=True)
class SupportStats:
    """Support figures for a period; erased people still count, anonymously."""

    requests: int
    by_kind: dict[str, int]
    resolved: int
    median_minutes_to_first_response: float | None
    median_minutes_to_resolve: float | None


Made = Row[tuple[str, str, datetime, datetime | None, datetime | None, str | None]]


async def requests_made(
    s: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> Sequence[Made]:
    """Return each request made in a period (its end excluded), erased people's too.

    A row is its kind, urgency, when it was made, claimed and resolved, and its outcome.
    """
    rows = await s.execute(
        select(
            SupportRequest.kind,
            SupportRequest.urgency,
            SupportRequest.created_at,
            SupportRequest.claimed_at,
            SupportRequest.resolved_at,
            SupportRequest.outcome,
        ).where(
            SupportRequest.guild_id == guild_id,
            SupportRequest.created_at >= start,
            SupportRequest.created_at < end,
        )
    )
    return rows.all()


class SupportFigures(Service):
    """Aggregate support figures; nothing in them names anyone."""

    async def stats(self, guild_id: int, start: datetime, end: datetime) -> SupportStats:
        """Return counts and median response and resolution times for requests made in a period."""
        async with self.db.begin() as s:
            rows = await requests_made(s, guild_id, start, end)
        by_kind = {kind: 0 for kind in KINDS}
        first: list[float] = []
        resolve: list[float] = []
        resolved = 0
        for kind, _, created, claimed, done, outcome in rows:
            by_kind[kind] = by_kind.get(kind, 0) + 1
            if claimed is not None:
                first.append((claimed - created).total_seconds() / 60)
            if done is not None and outcome != WITHDRAWN:
                resolved += 1
                resolve.append((done - created).total_seconds() / 60)
        return SupportStats(
            requests=len(rows),
            by_kind=by_kind,
            resolved=resolved,
            median_minutes_to_first_response=median(first) if first else None,
            median_minutes_to_resolve=median(resolve) if resolve else None,
        )
