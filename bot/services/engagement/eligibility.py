"""Work out, in SQL aggregates, who meets their next level, and note it once per level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Contribution, LevelNotice, Member, TrainingRecord
from bot.db.upsert import insert_for
from bot.group_config import LevelConfig
from bot.services.engagement.ladder import Ladder, Standing, months_between
from bot.settings import Settings

# Each server's ladder, by guild id.
Ladders = Callable[[int], Ladder]

CHUNK = 500


async def standing_of(
    s: AsyncSession, settings: Settings, member: Member, now: datetime
) -> Standing:
    """Return one member's counts by kind, modules done and months involved."""
    counts = await s.execute(
        select(Contribution.kind, func.count())
        .where(Contribution.member_id == member.id)
        .group_by(Contribution.kind)
    )
    modules = await s.scalars(
        select(TrainingRecord.module_key).where(TrainingRecord.member_id == member.id)
    )
    start = member.decided_at or member.joined_at
    return Standing(
        counts={kind: n for kind, n in counts},
        modules=set(modules),
        months=months_between(start, now, settings.tz),
    )


async def note_eligible(
    s: AsyncSession, guild_id: int, member_id: int, level_key: str, now: datetime
) -> int | None:
    """Insert the notice for (member, level) unless it exists; return its id if it is new."""
    result = await s.execute(
        insert_for(s, LevelNotice)
        .values(guild_id=guild_id, member_id=member_id, level_key=level_key, eligible_at=now)
        .on_conflict_do_nothing(index_elements=["member_id", "level_key"])
        .returning(LevelNotice.id)
    )
    return result.scalar_one_or_none()


async def check_member(
    s: AsyncSession, settings: Settings, ladder: Ladder, member: Member, now: datetime
) -> int | None:
    """Note the member as eligible for their next level if they meet it; return a new notice id."""
    if member.status != "approved":
        return None
    target = ladder.next_after(member.level_key)
    if target is None:
        return None
    if ladder.missing(target, await standing_of(s, settings, member, now)):
        return None
    return await note_eligible(s, member.guild_id, member.id, target.key, now)


async def scan(
    s: AsyncSession,
    settings: Settings,
    ladders: Ladders,
    now: datetime,
    *,
    guild_id: int | None = None,
    member_ids: Iterable[int] | None = None,
) -> list[int]:
    """Check many members at once with grouped queries; return the new notice ids.

    Without member_ids it checks every approved member (of one guild, or all); members who
    already have the notice for their next level are skipped in SQL. `ladders` gives each
    server's ladder (servers may have their own levels).
    """
    if member_ids is None:
        return await _scan_chunk(s, settings, ladders, now, guild_id, None)
    ids = sorted(set(member_ids))
    created: list[int] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        created += await _scan_chunk(s, settings, ladders, now, guild_id, chunk)
    return created


def _next(ladders: Ladders, m: Any) -> LevelConfig | None:
    return ladders(m.guild_id).next_after(m.level_key)


async def _scan_chunk(
    s: AsyncSession,
    settings: Settings,
    ladders: Ladders,
    now: datetime,
    guild_id: int | None,
    ids: list[int] | None,
) -> list[int]:
    # Plain columns, not ORM objects: a full check reads every approved member.
    query = select(
        Member.id, Member.guild_id, Member.level_key, Member.decided_at, Member.joined_at
    ).where(Member.status == "approved")
    if guild_id is not None:
        query = query.where(Member.guild_id == guild_id)
    if ids is not None:
        query = query.where(Member.id.in_(ids))
    members = [m for m in await s.execute(query) if _next(ladders, m) is not None]
    if not members:
        return []
    noticed = await _noticed(s, ids, guild_id)
    members = [
        m
        for m in members
        if (m.id, _next(ladders, m).key) not in noticed  # type: ignore[union-attr]
    ]
    if not members:
        return []
    wanted = [m.id for m in members] if ids is not None else None
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    # Only the kinds some level asks for are worth counting.
    servers = {m.guild_id for m in members}
    levels = [lvl for g in servers for lvl in ladders(g).levels]
    needed = sorted({k.value for lvl in levels for k in lvl.requirements.contributions})
    count_q = (
        select(Contribution.member_id, Contribution.kind, func.count())
        .where(Contribution.kind.in_(needed))
        .group_by(Contribution.member_id, Contribution.kind)
    )
    modules: dict[int, set[str]] = defaultdict(set)
    module_q = select(TrainingRecord.member_id, TrainingRecord.module_key)
    if wanted is not None:
        count_q = count_q.where(Contribution.member_id.in_(wanted))
        module_q = module_q.where(TrainingRecord.member_id.in_(wanted))
    elif guild_id is not None:
        count_q = count_q.where(Contribution.guild_id == guild_id)
        module_q = module_q.where(TrainingRecord.guild_id == guild_id)
    for member_id, kind, n in await s.execute(count_q):
        if member_id is not None:
            counts[member_id][kind] = n
    for member_id, module in await s.execute(module_q):
        modules[member_id].add(module)
    rows: list[dict[str, object]] = []
    for m in members:
        ladder = ladders(m.guild_id)
        target = ladder.next_after(m.level_key)
        assert target is not None
        standing = Standing(
            counts=counts.get(m.id, {}),
            modules=modules.get(m.id, set()),
            months=months_between(m.decided_at or m.joined_at, now, settings.tz),
        )
        if not ladder.missing(target, standing):
            rows.append(
                {
                    "guild_id": m.guild_id,
                    "member_id": m.id,
                    "level_key": target.key,
                    "eligible_at": now,
                }
            )
    created: list[int] = []
    # One multi-row INSERT per chunk; ON CONFLICT keeps it once per (member, level).
    for start in range(0, len(rows), CHUNK):
        result = await s.execute(
            insert_for(s, LevelNotice)
            .values(rows[start : start + CHUNK])
            .on_conflict_do_nothing(index_elements=["member_id", "level_key"])
            .returning(LevelNotice.id)
        )
        created += list(result.scalars())
    return created


async def _noticed(
    s: AsyncSession, ids: list[int] | None, guild_id: int | None
) -> set[tuple[int, str]]:
    query = select(LevelNotice.member_id, LevelNotice.level_key)
    if ids is not None:
        query = query.where(LevelNotice.member_id.in_(ids))
    elif guild_id is not None:
        query = query.where(LevelNotice.guild_id == guild_id)
    return {(member_id, key) for member_id, key in await s.execute(query)}
