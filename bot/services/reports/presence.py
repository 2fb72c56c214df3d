"""Presence: who is involved, at which levels and areas, and how that compares with the
population the service serves. Every figure is a SQL aggregate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Contribution, Member
from bot.services.reports.figures import Presence, Representation, Table
from bot.services.reports.periods import Period
from bot.services.reports.queries import count_by, in_period
from bot.settings import Settings

NO_LEVEL = "No level yet"


def in_group_at(guild_id: int, end: Any) -> Any:
    """Return the condition for members approved before `end` and not left by then."""
    return and_(
        Member.guild_id == guild_id,
        Member.decided_at.is_not(None),
        Member.decided_at < end,
        Member.status != "declined",
        or_(Member.left_at.is_(None), Member.left_at >= end),
    )


def level_names(settings: Settings) -> dict[str, str]:
    """Return the ladder's level names by key, in ladder order."""
    return {level.key: level.name for level in settings.ladder.levels}


def _ordered(known: list[str], found: set[str]) -> list[str]:
    return [k for k in known if k in found] + sorted(found - set(known))


async def presence(s: AsyncSession, settings: Settings, guild_id: int, period: Period) -> Presence:
    """Compute the Presence figures for a period."""
    at_end = in_group_at(guild_id, period.end)
    rows = (
        await s.execute(
            select(Member.level_key, Member.locality, Member.member_type, func.count())
            .where(at_end)
            .group_by(Member.level_key, Member.locality, Member.member_type)
        )
    ).all()
    names = level_names(settings)
    cells: dict[tuple[str, str], int] = {}
    by_type: dict[str, int] = {}
    for level_key, locality, member_type, count in rows:
        level = names.get(level_key, level_key) if level_key else NO_LEVEL
        cells[(level, locality)] = cells.get((level, locality), 0) + count
        by_type[member_type] = by_type.get(member_type, 0) + count
    # Every level of the ladder is a row, even an empty one: a board should see the gaps.
    level_rows = [*names.values(), *sorted({lv for lv, _ in cells} - set(names.values()))]
    areas = [*settings.group.localities]
    areas += sorted({loc for _, loc in cells} - set(areas))
    table = Table(
        row_labels=level_rows,
        col_labels=areas,
        counts=[[cells.get((lv, loc), 0) for loc in areas] for lv in level_rows],
    )
    bands = await count_by(s, Member.age_band, at_end)
    by_age_band = {b: bands.get(b, 0) for b in _ordered(settings.group.age_bands, set(bands))}
    signups = await count_by(
        s, Member.status, Member.guild_id == guild_id, in_period(Member.joined_at, period)
    )
    # Members in the group at the end who made a contribution in the period: one index seek
    # per member (ix_contributions_member_time), not a scan of every contribution.
    took_part = (
        select(Contribution.id)
        .where(
            Contribution.member_id == Member.id,
            in_period(Contribution.occurred_at, period),
        )
        .exists()
    )
    active = await s.scalar(select(func.count()).select_from(Member).where(at_end, took_part))
    on_break = await s.scalar(
        select(func.count()).where(at_end, Member.status == "paused", Member.paused_at < period.end)
    )
    left = await s.scalar(
        select(func.count()).where(
            Member.guild_id == guild_id,
            in_period(Member.left_at, period),
        )
    )
    members = sum(by_type.values())
    by_area = dict(zip(areas, table.col_totals(), strict=True))
    return Presence(
        members=members,
        by_level_locality=table,
        young_people=by_type.get("young_person", 0),
        carers=by_type.get("carer", 0),
        by_age_band=by_age_band,
        signups=sum(signups.values()),
        signups_approved=sum(n for k, n in signups.items() if k in {"approved", "paused", "left"}),
        signups_declined=signups.get("declined", 0),
        signups_waiting=signups.get("pending", 0),
        active=active or 0,
        on_break=on_break or 0,
        left=left or 0,
        representation=[
            *compare("Area", by_area, settings.reports.population_locality, settings),
            *compare("Age band", by_age_band, settings.reports.population_age_band, settings),
        ],
    )


def compare(
    dimension: str, group: dict[str, int], population: dict[str, int], settings: Settings
) -> list[Representation]:
    """Compare the group's make-up with the configured population; flag who is under-represented."""
    total_population = sum(population.values())
    if not total_population:
        return []
    members = sum(group.get(name, 0) for name in population)
    below = settings.reports.under_represented_below
    found = []
    for name, people in population.items():
        share = group.get(name, 0) / members if members else 0.0
        population_share = people / total_population
        found.append(
            Representation(
                dimension=dimension,
                name=name,
                members=group.get(name, 0),
                share=share,
                population_share=population_share,
                under=share < below * population_share,
            )
        )
    return found
