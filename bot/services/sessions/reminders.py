"""Reminder rows and quorum checks: computed from replies, claimed exactly once when due."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, Member, SessionReminder, SessionRsvp
from bot.services.sessions.common import (
    PAPERS,
    Promotion,
    QuorumAlert,
    SessionEnded,
    SessionsBase,
)
from bot.services.sessions.common import (
    SessionReminder as ReminderEvent,
)
from bot.settings import Settings

log = logging.getLogger(__name__)
CLAIM_BATCH = 1000


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
) -> None:
    """Bring reminder rows in line with who is confirmed and when the session is.

    Sent rows are never re-sent for a change of reply; `rearm` (the start moved) lets a sent
    reminder go out again for the new time.
    """
    scope = None if member_ids is None else sorted(set(member_ids))
    if scope == []:
        return
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
    for (member_id, kind), row in have.items():
        due = wanted.get(kind) if member_id in confirmed else None
        done = row.sent_at is not None or row.skipped_at is not None
        if due is None:
            if not done:
                stale.append(row.id)
        elif not done:
            row.due_at = due
        elif rearm and row.due_at != due and due > now:
            row.due_at, row.sent_at, row.skipped_at, row.skip_reason = due, None, None, None
    if stale:
        await s.execute(delete(SessionReminder).where(SessionReminder.id.in_(stale)))
    for member_id in confirmed:
        for kind, due in wanted.items():
            if (member_id, kind) not in have:
                s.add(SessionReminder(session_id=gs.id, member_id=member_id, kind=kind, due_at=due))
    await s.flush()


class RemindersMixin(SessionsBase):
    """The sessions service as a scheduler DueSource: reminders and quorum alerts."""

    name = "sessions"
    emits: tuple[type, ...] = (ReminderEvent, QuorumAlert, SessionEnded, Promotion)

    async def next_due(self) -> datetime | None:
        """Return when the next reminder or quorum check falls due."""
        async with self.db.begin() as s:
            reminder = await s.scalar(
                select(func.min(SessionReminder.due_at)).where(
                    SessionReminder.sent_at.is_(None), SessionReminder.skipped_at.is_(None)
                )
            )
            quorum = await s.scalar(
                select(func.min(GroupSession.quorum_due_at)).where(
                    GroupSession.quorum_checked_at.is_(None),
                    GroupSession.status == "scheduled",
                )
            )
            wrapup = await s.scalar(select(func.min(GroupSession.wrapup_due_at)))
        found = [d for d in (reminder, quorum, wrapup) if d is not None]
        return min(found) if found else None

    async def take_due(self, now: datetime) -> list[Any]:
        """Claim every due reminder and quorum check exactly once; return their events."""
        events: list[Any] = []
        events.extend(await self._take_reminders(now))
        events.extend(await self._take_quorum(now))
        events.extend(await self._take_wrapups(now))
        return events

    async def _take_wrapups(self, now: datetime) -> list[SessionEnded]:
        from bot.db.models import GuildConfig

        async with self.db.begin() as s:
            # Clearing the due time is the claim: a second claimer finds nothing to clear.
            claimed = list(
                (
                    await s.execute(
                        update(GroupSession)
                        .where(
                            GroupSession.wrapup_due_at <= now,
                            GroupSession.status == "scheduled",
                            GroupSession.attendance_marked_at.is_(None),
                        )
                        .values(wrapup_due_at=None)
                        .returning(GroupSession.id)
                        .execution_options(synchronize_session=False)
                    )
                ).scalars()
            )
            if not claimed:
                return []
            rows = list(
                await s.scalars(
                    select(GroupSession)
                    .where(GroupSession.id.in_(claimed))
                    .order_by(GroupSession.starts_at)
                )
            )
            counts = await self._counts(s, claimed)
            ended = []
            for gs in rows:
                config = await s.get(GuildConfig, gs.guild_id)
                ended.append(
                    SessionEnded(
                        session_id=gs.id,
                        guild_id=gs.guild_id,
                        title=gs.title,
                        starts_at=gs.starts_at,
                        local_text=self._view(gs, {}).local_text,
                        going=counts[gs.id]["going"],
                        worker_log_channel_id=config.worker_log_channel_id if config else None,
                        created_by=gs.created_by,
                    )
                )
            return ended

    async def _claim(self, s: AsyncSession, ids: list[int], values: dict[str, Any]) -> set[int]:
        if not ids:
            return set()
        # The WHERE on both marks makes a second, concurrent claimer get nothing.
        result = await s.execute(
            update(SessionReminder)
            .where(
                SessionReminder.id.in_(ids),
                SessionReminder.sent_at.is_(None),
                SessionReminder.skipped_at.is_(None),
            )
            .values(**values)
            .returning(SessionReminder.id)
            .execution_options(synchronize_session=False)
        )
        return set(result.scalars())

    async def _take_reminders(self, now: datetime) -> list[ReminderEvent]:
        async with self.db.begin() as s:
            rows = (
                await s.execute(
                    select(SessionReminder, GroupSession, Member, SessionRsvp)
                    .join(GroupSession, GroupSession.id == SessionReminder.session_id)
                    .join(Member, Member.id == SessionReminder.member_id)
                    .outerjoin(
                        SessionRsvp,
                        and_(
                            SessionRsvp.session_id == SessionReminder.session_id,
                            SessionRsvp.member_id == SessionReminder.member_id,
                        ),
                    )
                    .where(
                        SessionReminder.due_at <= now,
                        SessionReminder.sent_at.is_(None),
                        SessionReminder.skipped_at.is_(None),
                    )
                    .order_by(SessionReminder.due_at, SessionReminder.id)
                    .limit(CLAIM_BATCH)
                )
            ).all()
            send: list[int] = []
            skip: dict[str, list[int]] = {}
            for reminder, gs, member, rsvp in rows:
                reason = self._skip_reason(reminder, gs, member, rsvp, now)
                if reason is None:
                    send.append(reminder.id)
                else:
                    skip.setdefault(reason, []).append(reminder.id)
            sent = await self._claim(s, send, {"sent_at": now})
            for reason, ids in skip.items():
                for rid in await self._claim(s, ids, {"skipped_at": now, "skip_reason": reason}):
                    log.warning("sessions: reminder %s skipped: %s", rid, reason)
            events = []
            for reminder, gs, member, _rsvp in rows:
                if reminder.id not in sent:
                    continue
                events.append(
                    ReminderEvent(
                        reminder_id=reminder.id,
                        session_id=gs.id,
                        guild_id=gs.guild_id,
                        member_id=member.id,
                        user_id=member.user_id,
                        preferred_name=member.preferred_name,
                        kind=reminder.kind,
                        title=gs.title,
                        agenda=gs.agenda,
                        starts_at=gs.starts_at,
                        ends_at=gs.ends_at,
                        local_text=self._view(gs, {}).local_text,
                        place=gs.place,
                        online_link=gs.online_link,
                        papers_url=gs.papers_url,
                        sequence=gs.sequence,
                        due_at=reminder.due_at,
                        late_minutes=int((now - reminder.due_at).total_seconds() // 60),
                    )
                )
            return events

    def _skip_reason(
        self,
        reminder: SessionReminder,
        gs: GroupSession,
        member: Member,
        rsvp: SessionRsvp | None,
        now: datetime,
    ) -> str | None:
        if gs.status != "scheduled":
            return "session cancelled"
        if now >= gs.starts_at:
            return "too late: session started"
        if now - reminder.due_at > max_lateness(self.settings, reminder.kind):
            return "too late to be useful"
        # Checked again at send time: people change their minds, pause or turn DMs off.
        if rsvp is None or rsvp.reply != "going" or rsvp.waitlisted:
            return "no longer going"
        if member.status != "approved" or not member.dm_opt_in:
            return "reminders turned off"
        return None

    async def _take_quorum(self, now: datetime) -> list[QuorumAlert]:
        from bot.db.models import GuildConfig

        needed = self.settings.sessions.quorum_minimum + self.settings.sessions.quorum_reserve
        async with self.db.begin() as s:
            due_ids = list(
                await s.scalars(
                    select(GroupSession.id).where(
                        GroupSession.quorum_due_at <= now,
                        GroupSession.quorum_checked_at.is_(None),
                        GroupSession.status == "scheduled",
                    )
                )
            )
            if not due_ids:
                return []
            claimed = list(
                (
                    await s.execute(
                        update(GroupSession)
                        .where(
                            GroupSession.id.in_(due_ids),
                            GroupSession.quorum_checked_at.is_(None),
                        )
                        .values(quorum_checked_at=now)
                        .returning(GroupSession.id)
                        .execution_options(synchronize_session=False)
                    )
                ).scalars()
            )
            rows = list(
                await s.scalars(
                    select(GroupSession)
                    .where(GroupSession.id.in_(claimed))
                    .order_by(GroupSession.starts_at)
                )
            )
            counts = await self._counts(s, claimed)
            alerts = []
            for gs in rows:
                going = counts[gs.id]["going"]
                if gs.starts_at <= now or going >= needed:
                    continue
                config = await s.get(GuildConfig, gs.guild_id)
                alerts.append(
                    QuorumAlert(
                        session_id=gs.id,
                        guild_id=gs.guild_id,
                        title=gs.title,
                        starts_at=gs.starts_at,
                        local_text=self._view(gs, {}).local_text,
                        going=going,
                        needed=needed,
                        worker_log_channel_id=config.worker_log_channel_id if config else None,
                        created_by=gs.created_by,
                    )
                )
            return alerts
