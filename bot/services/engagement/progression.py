"""Progression: /progress, the once-per-level eligibility notice, moving up, staying, stepping down.

Eligibility notices are rows (level_notices, unique per member and level). Whoever notices
first inserts the row (ON CONFLICT DO NOTHING); this service is a DueSource whose take_due
claims unsent rows with a conditional UPDATE and, in the same transaction, owes the DM to the
outbox, so the message goes out exactly once even when contributions keep arriving and Discord
fails (a 503 retries; closed DMs are recorded, and /progress shows it). take_due also picks up
contributions other features recorded through `record_contribution` (by id watermark) and,
every few hours, everyone (months involved grow with time alone).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, LevelNotice, Member, TrainingRecord
from bot.services.access import Actor, require_member
from bot.services.base import claim
from bot.services.engagement.charts import render_contributions_chart
from bot.services.engagement.common import LadderService, who
from bot.services.engagement.eligibility import scan, standing_of
from bot.services.engagement.ladder import PLURAL, Ladder, count_words, format_pounds
from bot.services.engagement.owed import NOTICE
from bot.services.engagement.payments import create_payments
from bot.services.membership import owe_about

FULL_SCAN_EVERY = timedelta(hours=6)
# Ids are handed out before commit on PostgreSQL, so re-read a margin below the watermark.
OVERLAP_IDS = 500
CHART_MONTHS = 12


@dataclass(frozen=True)
class EligibilityNotice:
    """A member told, once, that they meet the next level (a DM owed if they opted in)."""

    notice_id: int
    guild_id: int
    member_id: int
    user_id: int
    preferred_name: str
    level_key: str
    level_name: str
    dm_opt_in: bool
    text: str


@dataclass(frozen=True)
class KindCount:
    """How many contributions of one kind, in words."""

    kind: str
    count: int
    words: str


@dataclass(frozen=True)
class ProgressView:
    """Everything /progress shows."""

    member_id: int
    level_key: str
    level_name: str
    level_description: str
    level_number: int
    level_count: int
    counts: list[KindCount]
    total: int
    hours: Decimal
    training: list[str]
    months_involved: int
    next_level_key: str | None
    next_level_name: str | None
    next_needs: list[str]
    next_met: bool
    open_notice_id: int | None
    open_notice_choice: str | None
    move_waiting: bool  # asked to move up; no worker has decided yet (it can be taken back)
    declined_reason: str | None  # a worker did not confirm the last request, and why
    rate_text: str | None
    chart_png: bytes | None
    chart_alt: str


def notice_text(name: str, ladder: Ladder, level_key: str) -> str:
    """Return the neutral eligibility message: no pressure, no streaks, both choices equal."""
    level = ladder.get(level_key)
    asks = ", ".join(ladder.describe(level)) or "nothing extra"
    paid = (
        f" It is a paid level: paid activity is paid at {format_pounds(level.hourly_rate_pence)} "
        "an hour."
        if level.paid and level.hourly_rate_pence
        else ""
    )
    return (
        f"Hello {name}. Your record now meets what the {level.name} level asks for ({asks}).\n"
        f"{level.name}: {level.description}{paid}\n"
        "If you would like to move up, choose Move up and a worker will confirm it. If you "
        "would rather stay where you are, that is completely fine: choose Stay. You can "
        "change your mind later in /progress."
    )


def chart_alt(months: list[str], series: dict[str, list[int]]) -> str:
    """Say in words what the /progress chart shows: the totals by kind, then month by month."""
    if not months:
        return "No chart."
    names = [datetime.strptime(m, "%Y-%m").strftime("%B %Y") for m in months]  # noqa: DTZ007
    text = f"Bar chart of your contributions each month, {names[0]} to {names[-1]}: "
    per_month = [sum(values[i] for values in series.values()) for i in range(len(months))]
    if not sum(per_month):
        return text + "none in these months."
    kinds = [count_words(ContributionKind(k), sum(v)) for k, v in sorted(series.items())]
    busy = [f"{name}: {n}" for name, n in zip(names, per_month, strict=True) if n]
    text += f"{sum(per_month)} in all ({', '.join(kinds)}). By month: {'; '.join(busy)}"
    return text + ("." if len(busy) == len(months) else "; none in the other months.")


class ProgressService(LadderService):
    """Levels and progress; also the DueSource for eligibility notices."""

    name = "engagement.levels"
    # Notices go out through the outbox, not as scheduler events.
    emits: tuple[type, ...] = ()

    # Where the last look at new contributions stopped, and when everyone was last checked.
    _watermark = 0
    _last_full: datetime | None = None

    # ---- DueSource ------------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        """Return when the earliest unsent notice (or the next full check) falls due."""
        async with self.db.begin() as s:
            due = await s.scalar(
                select(func.min(LevelNotice.eligible_at))
                .join(Member, Member.id == LevelNotice.member_id)
                .where(LevelNotice.sent_at.is_(None), Member.status == "approved")
            )
        full = self.clock.now() if self._last_full is None else self._last_full + FULL_SCAN_EVERY
        return min(due, full) if due is not None else full

    async def take_due(self, now: datetime) -> list[EligibilityNotice]:
        """Notice newly eligible members and owe their notices (the outbox delivers them)."""
        await self.note_due(now)
        return []

    async def note_due(self, now: datetime) -> list[EligibilityNotice]:
        """Notice newly eligible members, then claim every unsent notice exactly once.

        Each one claimed is owed to the outbox as a DM for members who opted in (in the same
        transaction); return them all.
        """
        async with self.db.begin() as s:
            top = await s.scalar(select(func.max(Contribution.id))) or 0
            full = self._last_full is None or now - self._last_full >= FULL_SCAN_EVERY
            if full:
                await scan(s, self.settings, self.ladder_for, now)
                await create_payments(s, self.settings, now)
            elif top > self._watermark - OVERLAP_IDS:
                since = max(self._watermark - OVERLAP_IDS, 0)
                changed = await s.scalars(
                    select(Contribution.member_id)
                    .where(Contribution.id > since, Contribution.member_id.is_not(None))
                    .distinct()
                )
                await scan(
                    s,
                    self.settings,
                    self.ladder_for,
                    now,
                    member_ids=[m for m in changed if m is not None],
                )
                await create_payments(s, self.settings, now, after_id=since)
            events = await self._claim(s, now)
        self._watermark = max(self._watermark, top)
        if full:
            self._last_full = now
        if any(e.dm_opt_in for e in events):
            self.wake()
        return events

    async def _claim(self, s: AsyncSession, now: datetime) -> list[EligibilityNotice]:
        rows = await s.execute(
            select(LevelNotice.id, Member)
            .join(Member, Member.id == LevelNotice.member_id)
            .where(LevelNotice.sent_at.is_(None), Member.status == "approved")
            .order_by(LevelNotice.id)
        )
        events: list[EligibilityNotice] = []
        for notice_id, member in rows.all():
            if not await claim(
                s,
                update(LevelNotice)
                .where(LevelNotice.id == notice_id, LevelNotice.sent_at.is_(None))
                .values(sent_at=now),
            ):
                continue
            level_key = await s.scalar(
                select(LevelNotice.level_key).where(LevelNotice.id == notice_id)
            )
            assert level_key is not None
            if member.dm_opt_in:
                await owe_about(self, s, NOTICE, member, {"notice_id": notice_id}, notice_id)
            events.append(
                EligibilityNotice(
                    notice_id=notice_id,
                    guild_id=member.guild_id,
                    **who(member),
                    level_key=level_key,
                    level_name=self.ladder_for(member.guild_id).get(level_key).name,
                    dm_opt_in=member.dm_opt_in,
                    text=notice_text(
                        member.preferred_name, self.ladder_for(member.guild_id), level_key
                    ),
                )
            )
        return events

    # ---- /progress --------------------------------------------------------------------------

    async def progress(self, actor: Actor, *, chart: bool = True) -> ProgressView:
        """Return the actor's level, contributions by kind, next level needs and a PNG chart."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            standing = await standing_of(s, self.settings, member, now)
            hours = await s.scalar(
                select(func.coalesce(func.sum(Contribution.hours), 0)).where(
                    Contribution.member_id == member.id
                )
            )
            modules = await s.scalars(
                select(TrainingRecord.module_key)
                .where(TrainingRecord.member_id == member.id)
                .order_by(TrainingRecord.completed_at)
            )
            module_names = [self.ladder_for(actor.guild_id).modules.get(m, m) for m in modules]
            level = self.ladder_for(actor.guild_id).get(member.level_key)
            target = self.ladder_for(actor.guild_id).next_after(member.level_key)
            notice = None
            if target is not None:
                notice = await s.scalar(
                    select(LevelNotice).where(
                        LevelNotice.member_id == member.id,
                        LevelNotice.level_key == target.key,
                        LevelNotice.outcome.is_distinct_from("confirmed"),
                    )
                )
            months, series = await self._monthly(s, member.id, now) if chart else ([], {})
        labels = [datetime.strptime(k, "%Y-%m").strftime("%b %y") for k in months]  # noqa: DTZ007
        named = ((PLURAL[ContributionKind(k)].capitalize(), v) for k, v in series.items())
        bars = dict(sorted(named))
        counts = [
            KindCount(kind.value, standing.counts[kind.value], count_words(kind, n))
            for kind in ContributionKind
            if (n := standing.counts.get(kind.value, 0))
        ]
        needs = self.ladder_for(actor.guild_id).missing(target, standing) if target else []
        rate = (
            f"{level.name} is a paid level: {format_pounds(level.hourly_rate_pence)} an hour."
            if level.paid and level.hourly_rate_pence
            else None
        )
        total = sum(c.count for c in counts)
        png = None
        if chart:
            png = await asyncio.to_thread(
                render_contributions_chart, labels, bars, "Your contributions each month"
            )
        return ProgressView(
            member_id=member.id,
            level_key=level.key,
            level_name=level.name,
            level_description=level.description,
            level_number=self.ladder_for(actor.guild_id).index(level.key) + 1,
            level_count=len(self.ladder_for(actor.guild_id).levels),
            counts=counts,
            total=total,
            hours=Decimal(hours or 0),
            training=module_names,
            months_involved=standing.months,
            next_level_key=target.key if target else None,
            next_level_name=target.name if target else None,
            next_needs=needs,
            next_met=target is not None and not needs,
            open_notice_id=notice.id if notice else None,
            open_notice_choice=notice.choice if notice else None,
            move_waiting=bool(notice and notice.choice == "move_up" and not notice.outcome),
            declined_reason=(
                notice.decline_reason if notice and notice.outcome == "declined" else None
            ),
            rate_text=rate,
            chart_png=png,
            chart_alt=chart_alt(months, series),
        )

    async def _monthly(
        self, s: AsyncSession, member_id: int, now: datetime
    ) -> tuple[list[str], dict[str, list[int]]]:
        """Return the last months ('2026-12') and counts per kind in each, by UK month."""
        tz = self.settings.tz
        local_now = now.astimezone(tz)
        first_local = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        for _ in range(CHART_MONTHS - 1):
            first_local = (first_local - timedelta(days=1)).replace(day=1)
        keys: list[str] = []
        cursor = first_local
        for _ in range(CHART_MONTHS):
            keys.append(cursor.strftime("%Y-%m"))
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        # One member's rows over a few months are few: fetch them and bucket by UK month, so
        # a session at 00:30 on the 1st (UK summer time) counts in the right month.
        start = first_local.astimezone(now.tzinfo)
        rows = await s.execute(
            select(Contribution.occurred_at, Contribution.kind).where(
                Contribution.member_id == member_id, Contribution.occurred_at >= start
            )
        )
        series: dict[str, list[int]] = {}
        index = {k: i for i, k in enumerate(keys)}
        for occurred_at, kind in rows:
            key = occurred_at.astimezone(tz).strftime("%Y-%m")
            if key not in index:
                continue
            series.setdefault(kind, [0] * len(keys))[index[key]] += 1
        return keys, series
