"""The one call every feature uses to record a contribution, inside its own transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution
from bot.services.base import insert_new, insert_once


async def record_contribution(
    s: AsyncSession,
    *,
    guild_id: int,
    member_id: int,
    kind: ContributionKind,
    source_key: str,
    occurred_at: datetime,
    recorded_at: datetime | None = None,
    hours: Decimal | None = None,
    note: str | None = None,
    recorded_by: int | None = None,
) -> bool:
    """Record a contribution once per (member, kind, source); return True if it was new.

    Runs in the caller's transaction so that the action and its contribution commit together.
    `source_key` names what it came from, e.g. "poll:12" or "session:7". It is recorded when
    it occurred unless `recorded_at` says otherwise.
    """
    return await insert_once(
        s,
        Contribution,
        ["member_id", "kind", "source_key"],
        guild_id=guild_id,
        member_id=member_id,
        kind=kind.value,
        source_key=source_key,
        hours=hours,
        note=note,
        occurred_at=occurred_at,
        recorded_by=recorded_by,
        recorded_at=occurred_at if recorded_at is None else recorded_at,
    )


async def record_contributions(
    s: AsyncSession,
    kind: ContributionKind,
    firsts: list[tuple[int, int, str, datetime]],
) -> set[tuple[int, str]]:
    """Record many contributions of one kind at once, each once per (member, kind, source).

    `firsts` holds (guild id, member id, source key, when it occurred); the many-row form of
    `record_contribution`, for a round of clicks written together. Return the (member id,
    source key) of those that were new.
    """
    rows = [
        {
            "guild_id": guild_id,
            "member_id": member_id,
            "kind": kind.value,
            "source_key": source_key,
            "hours": None,
            "note": None,
            "occurred_at": when,
            "recorded_by": None,
            "recorded_at": when,
        }
        for guild_id, member_id, source_key, when in firsts
    ]
    table = Contribution.__table__
    unique = ["member_id", "kind", "source_key"]
    new = await insert_new(s, table, unique, rows, table.c.member_id, table.c.source_key)
    return {(int(member_id), str(source)) for member_id, source in new}
