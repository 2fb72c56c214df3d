"""Reminder rows kept in line with who has a place and when the session is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, Member, SessionReminder, SessionRsvp
from bot.services.sessions.forms import PAPERS
from bot.settings import Settings


def wanted_reminders(settings: Settings, gs: GroupSession, now: datetime) -> dict[str, datetime]:
    """Return the reminder kinds a confirmed attendee should get, with when each falls due."""
    if gs.status != "scheduled" or gs.starts_at <= now:
        return {}
    cfg = settings.sessions
    wanted: dict[str, datetime] = {}
    if gs.papers_url:
        # Papers that can no longer go out N days before still go out as soon as possible.
        wanted[PAPERS] = max(gs.starts_at - timedelta(days=cfg.papers_days_before), now)
    for hours in cfg.reminder_offsets_hours:
        due = gs.starts_at - timedelta(hours=hours)
        # A reminder whose moment has passed adds nothing to the confirmation just sent.
        if due > now:
            wanted[f"{hours}h"] = due
    return wanted


def max_lateness(settings: Settings, kind: str) -> timedelta:
    """Return how late a reminder of this kind may still be sent."""
    minutes = settings.sessions.max_late_minutes.get(kind)
    if minutes is None:
        hours = kind.removesuffix("h")
        minutes = int(hours) * 30 if hours.isdigit() else 60
    return timedelta(minutes=minutes)


def quorum_due(settings: Settings, starts_at: datetime, now: datetime) -> datetime:
    """Return when to check a session's numbers (halfway there if already inside the window)."""
    due = starts_at - timedelta(hours=settings.sessions.quorum_check_hours_before)
    if due < now:
        due = now + (starts_at - now) / 2
    return due


async def refresh_reminders(
    s: AsyncSession,
    settings: Settings,
    gs: GroupSession,
    now: datetime,
    member_ids: Iterable[int] | None = None,
    *,
    rearm: bool = False,
) -> bool:
    """Bring reminder rows in line with who is confirmed and when the session is.

    Sent rows are never re-sent for a change of reply; `rearm` (the start moved) lets a sent
    reminder go out again for the new time. Return whether any row changed (the scheduler
    then needs waking).
    """
    scope = None if member_ids is None else sorted(set(member_ids))
    if scope == []:
        return False
    confirmed_stmt = (
        select(Member.id)
        .join(SessionRsvp, SessionRsvp.member_id == Member.id)
        .where(
            SessionRsvp.session_id == gs.id,
            SessionRsvp.reply == "going",
            SessionRsvp.waitlisted.is_(False),
            Member.status == "approved",
            Member.dm_opt_in.is_(True),
        )
    )
    existing_stmt = select(SessionReminder).where(SessionReminder.session_id == gs.id)
    if scope is not None:
        confirmed_stmt = confirmed_stmt.where(Member.id.in_(scope))
        existing_stmt = existing_stmt.where(SessionReminder.member_id.in_(scope))
    confirmed = set(await s.scalars(confirmed_stmt))
    wanted = wanted_reminders(settings, gs, now)
    have: dict[tuple[int, str], SessionReminder] = {
        (r.member_id, r.kind): r for r in await s.scalars(existing_stmt)
    }
    stale: list[int] = []
    moved = False
    for (member_id, kind), row in have.items():
        due = wanted.get(kind) if member_id in confirmed else None
        done = row.sent_at is not None or row.skipped_at is not None
        if due is None:
            if not done:
                stale.append(row.id)
        elif not done:
            moved |= row.due_at != due
            row.due_at = due
        elif rearm and row.due_at != due and due > now:
            row.due_at, row.sent_at, row.skipped_at, row.skip_reason = due, None, None, None
            moved = True
    if stale:
        await s.execute(delete(SessionReminder).where(SessionReminder.id.in_(stale)))
    added = [
        SessionReminder(session_id=gs.id, member_id=member_id, kind=kind, due_at=due)
        for member_id in confirmed
        for kind, due in wanted.items()
        if (member_id, kind) not in have
    ]
    s.add_all(added)
    await s.flush()
    return moved or bool(stale or added)
