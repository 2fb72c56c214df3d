"""Process: how involvement ran. Contributions, sessions, polls, consultations, support and
money for a period, each read with SQL aggregates (a year of a big group is a handful of scans).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from itertools import pairwise
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import KIND_LABELS, ContributionKind
from bot.db.models import (
    Consultation,
    ConsultationParticipant,
    Contribution,
    ExpenseClaim,
    GroupSession,
    Member,
    Payment,
    Poll,
    PollBallot,
    SessionAttendance,
    SessionRsvp,
)
from bot.group_config import DAY_NAMES
from bot.services.membership import ADJUSTMENTS
from bot.services.reports.figures import Adjustment, Money, Process, Support
from bot.services.reports.periods import Period
from bot.services.reports.queries import count_by, in_period, totals_by_status
from bot.services.support import WITHDRAWN, requests_made
from bot.services.timeparse import localize
from bot.settings import Settings


def buckets(period: Period, settings: Settings) -> tuple[list[datetime], list[str]]:
    """Split a period into weeks (up to two months) or calendar months, for the trend chart."""
    tz = settings.tz
    edges, labels = [period.start], []
    if period.days <= 62:
        day = period.first_day
        while day <= period.last_day:
            labels.append(f"{day.day} {day:%b}")
            day += timedelta(days=7)
            edges.append(min(localize(datetime.combine(day, time()), tz), period.end))
    else:
        day = period.first_day.replace(day=1)
        while day <= period.last_day:
            labels.append(f"{day:%b %Y}")
            day = (day + timedelta(days=32)).replace(day=1)
            edges.append(min(localize(datetime.combine(day, time()), tz), period.end))
    return edges, labels


def _kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[ContributionKind(kind)].capitalize()
    except ValueError:
        return kind.replace("_", " ").capitalize()


async def _contributions(
    s: AsyncSession, guild_id: int, period: Period, settings: Settings
) -> dict[str, Any]:
    edges, labels = buckets(period, settings)
    totals: dict[str, list[float]] = {}
    by_bucket: dict[str, list[int]] = {}
    # One index range per kind and week or month (ix_contributions_report covers it): a year of
    # a million contributions is read in tens of milliseconds, with no sorting or grouping.
    for kind in ContributionKind:
        for index, (first, after) in enumerate(pairwise(edges)):
            count, hours = (
                await s.execute(
                    select(func.count(), func.sum(Contribution.hours)).where(
                        Contribution.guild_id == guild_id,
                        Contribution.kind == kind.value,
                        Contribution.occurred_at >= first,
                        Contribution.occurred_at < after,
                    )
                )
            ).one()
            if not count:
                continue
            label = _kind_label(kind.value)
            total = totals.setdefault(label, [0, 0.0])
            total[0] += count
            total[1] += float(hours or 0)
            by_bucket.setdefault(label, [0] * len(labels))[index] += count
    by_kind = sorted(((k, int(v[0]), v[1]) for k, v in totals.items()), key=lambda r: -r[1])
    return {
        "contributions": sum(r[1] for r in by_kind),
        "hours": sum(r[2] for r in by_kind),
        "by_kind": by_kind,
        "bucket_labels": labels,
        "by_bucket": {k: by_bucket[k] for k, _, _ in by_kind},
    }


async def _sessions(
    s: AsyncSession, guild_id: int, period: Period, settings: Settings
) -> dict[str, Any]:
    held = (
        select(GroupSession.id)
        .where(
            GroupSession.guild_id == guild_id,
            GroupSession.status == "scheduled",
            in_period(GroupSession.starts_at, period),
        )
        .scalar_subquery()
    )
    sessions = (
        await s.execute(
            select(GroupSession.id, GroupSession.attendance_marked_at).where(
                GroupSession.id.in_(held)
            )
        )
    ).all()
    marked = {sid for sid, at in sessions if at is not None}
    attended = await count_by(
        s, SessionAttendance.session_id, SessionAttendance.session_id.in_(held)
    )
    going_rows = (
        await s.execute(
            select(
                SessionRsvp.session_id,
                GroupSession.starts_at,
                GroupSession.created_at,
                GroupSession.papers_url,
                Member.adjustments,
            )
            .join(GroupSession, GroupSession.id == SessionRsvp.session_id)
            .join(Member, Member.id == SessionRsvp.member_id)
            .where(
                SessionRsvp.session_id.in_(held),
                SessionRsvp.reply == "going",
                SessionRsvp.waitlisted.is_(False),
            )
        )
    ).all()
    going = sum(1 for row in going_rows if row[0] in marked)
    minimum = settings.sessions.quorum_minimum
    found: dict[str, Any] = {
        "sessions_held": len(sessions),
        "sessions_marked": len(marked),
        "going": going,
        "attended": sum(n for sid, n in attended.items() if sid in marked),
        "quorum_minimum": minimum,
        "quorum_met": sum(1 for sid in marked if attended.get(sid, 0) >= minimum),
        "adjustments": _adjustments(going_rows, settings),
    }
    return found


def _adjustments(rows: Sequence[Any], settings: Settings) -> list[Adjustment]:
    """Count adjustments asked for by people going to sessions; check the ones the bot can."""
    earliest = time.fromisoformat(settings.sessions.earliest_start)
    papers_days = timedelta(days=settings.sessions.papers_days_before)
    asked: dict[str, int] = {}
    met: dict[str, int] = {}
    for _, starts_at, created_at, papers_url, adjustments in rows:
        for key in adjustments or []:
            asked[key] = asked.get(key, 0) + 1
            if key == "no_early_starts":
                ok = starts_at.astimezone(settings.tz).time() >= earliest
            elif key == "papers_early":
                ok = bool(papers_url) and created_at <= starts_at - papers_days
            else:
                continue
            met[key] = met.get(key, 0) + int(ok)
    checkable = {"no_early_starts", "papers_early"}
    return [
        Adjustment(
            label=ADJUSTMENTS.get(key, key),
            asked=asked[key],
            met=met.get(key, 0) if key in checkable else None,
        )
        for key in [*ADJUSTMENTS, *sorted(set(asked) - set(ADJUSTMENTS))]
        if key in asked
    ]


async def _polls_and_consultations(
    s: AsyncSession, guild_id: int, period: Period
) -> dict[str, Any]:
    polls_closed = (
        Poll.guild_id == guild_id,
        in_period(Poll.closed_at, period),
    )
    polls, audience = (
        await s.execute(select(func.count(), func.sum(Poll.audience_size)).where(*polls_closed))
    ).one()
    ballots = await s.scalar(
        select(func.count()).select_from(PollBallot).join(Poll).where(*polls_closed)
    )
    closed = (
        Consultation.guild_id == guild_id,
        in_period(Consultation.closed_at, period),
    )
    consultations, c_audience = (
        await s.execute(
            select(func.count(), func.sum(Consultation.audience_size_at_close)).where(*closed)
        )
    ).one()
    responses = await s.scalar(
        select(func.count()).select_from(ConsultationParticipant).join(Consultation).where(*closed)
    )
    return {
        "polls": polls or 0,
        "poll_ballots": ballots or 0,
        "poll_audience": int(audience or 0),
        "consultations": consultations or 0,
        "consultation_responses": responses or 0,
        "consultation_audience": int(c_audience or 0),
    }


def _hours(deltas: list[timedelta]) -> float | None:
    return median(d.total_seconds() / 3600 for d in deltas) if deltas else None


async def _support(s: AsyncSession, guild_id: int, period: Period, settings: Settings) -> Support:
    rows = await requests_made(s, guild_id, period.start, period.end)
    start = time.fromisoformat(settings.support.hours_start)
    end = time.fromisoformat(settings.support.hours_end)
    days = set(settings.support.working_days)
    by_kind: dict[str, int] = {}
    out_of_hours = 0
    for kind, _, created, *_ in rows:
        by_kind[kind] = by_kind.get(kind, 0) + 1
        local = created.astimezone(settings.tz)
        if DAY_NAMES[local.weekday()] not in days or not start <= local.time() < end:
            out_of_hours += 1
    resolved = [r for r in rows if r.resolved_at is not None and r.outcome != WITHDRAWN]
    return Support(
        requests=len(rows),
        by_kind=by_kind,
        urgent=sum(1 for r in rows if r.urgency == "urgent"),
        out_of_hours=out_of_hours,
        resolved=len(resolved),
        median_hours_to_first_response=_hours(
            [r.claimed_at - r.created_at for r in rows if r.claimed_at is not None]
        ),
        median_hours_to_resolve=_hours([r.resolved_at - r.created_at for r in resolved]),
    )


async def _money(s: AsyncSession, guild_id: int, period: Period, settings: Settings) -> Money:
    claims = await totals_by_status(s, ExpenseClaim, ExpenseClaim.claimed_at, guild_id, period)
    days_to_pay: list[int] = [
        days
        for days in await s.scalars(
            select(ExpenseClaim.days_to_pay).where(
                ExpenseClaim.guild_id == guild_id,
                in_period(ExpenseClaim.paid_at, period),
                ExpenseClaim.days_to_pay.is_not(None),
            )
        )
        if days is not None
    ]
    payments = await totals_by_status(s, Payment, Payment.created_at, guild_id, period)
    return Money(
        claims=sum(c for c, _ in claims.values()),
        claims_pence=sum(p for _, p in claims.values()),
        claims_paid=claims.get("paid", (0, 0))[0],
        claims_rejected=claims.get("rejected", (0, 0))[0],
        claims_waiting=sum(claims.get(k, (0, 0))[0] for k in ("submitted", "approved")),
        median_days_to_pay=median(days_to_pay) if days_to_pay else None,
        benchmark_days=settings.payments.benchmark_days_to_pay,
        payments=sum(c for c, _ in payments.values()),
        payments_pence=sum(p for _, p in payments.values()),
        payments_paid=payments.get("paid", (0, 0))[0],
    )


async def process(s: AsyncSession, settings: Settings, guild_id: int, period: Period) -> Process:
    """Compute the Process figures for a period."""
    return Process(
        **await _contributions(s, guild_id, period, settings),
        **await _sessions(s, guild_id, period, settings),
        **await _polls_and_consultations(s, guild_id, period),
        support=await _support(s, guild_id, period, settings),
        money=await _money(s, guild_id, period, settings),
    )
