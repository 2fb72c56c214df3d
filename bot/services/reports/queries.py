"""The query shapes every part of a report reads with: rows in the period, counts by a key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reports.figures import counted
from bot.services.reports.periods import Period


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    """Return the condition that a time column falls in the period (its end excluded)."""
    return and_(column >= period.start, column < period.end)


async def count_by(s: AsyncSession, key: Any, *where: Any, join: Any = None) -> dict[Any, int]:
    """Count the rows that match `where` for each value of `key` (joined to `join`, if any)."""
    query = select(key, func.count())
    if join is not None:
        query = query.join(join)
    return counted((await s.execute(query.where(*where).group_by(key))).all())


async def totals_by_status(
    s: AsyncSession, model: Any, at: Any, guild_id: int, period: Period
) -> dict[str, tuple[int, int]]:
    """Return (how many, how many pence) of a server's claims or payments in the period, by status.

    `at` is the time column that places a row in the period.
    """
    rows = await s.execute(
        select(model.status, func.count(), func.sum(model.amount_pence))
        .where(model.guild_id == guild_id, in_period(at, period))
        .group_by(model.status)
    )
    return {status: (count, int(pence or 0)) for status, count, pence in rows.all()}
