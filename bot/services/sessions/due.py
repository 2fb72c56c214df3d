"""Due work: reminder DMs, quorum checks and end-of-session prompts, each claimed once."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Update, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, GuildConfig, Member, SessionReminder, SessionRsvp
from bot.services.base import Service
from bot.services.sessions.events import QuorumAlert, SessionEnded, reminder_event
from bot.services.sessions.events import SessionReminder as ReminderEvent
from bot.services.sessions.owed import ENDED, QUORUM, owe_post, owe_reminders
from bot.services.sessions.reminder_rows import max_lateness
from bot.services.sessions.views import has_place, local_range, reply_counts

log = logging.getLogger(__name__)
CLAIM_BATCH = 1000
PENDING = (SessionReminder.sent_at.is_(None), SessionReminder.skipped_at.is_(None))


async def _claimed(s: AsyncSession, statement: Update) -> list[int]:
    """Run a claiming UPDATE … RETURNING id; the ids it returns are this caller's alone."""
    result = await s.execute(statement.execution_options(synchronize_session=False))
    return sorted(result.scalars())


async def _sessions(s: AsyncSession, ids: list[int]) -> list[GroupSession]:
    """Return these sessions, soonest first."""
    if not ids:
        return []
    return list(
        await s.scalars(
            select(GroupSession).where(GroupSession.id.in_(ids)).order_by(GroupSession.starts_at)
        )
    )


class DueWork(Service):
    """Find and claim the sessions' timed work; the facade is the scheduler's due source."""

    async def next_due(self) -> datetime | None:
        """Return when the next reminder, quorum check or wrap-up falls due."""
        reminder = await self.earliest(select(func.min(SessionReminder.due_at)).where(*PENDING))
        quorum = await self.earliest(
            select(func.min(GroupSession.quorum_due_at)).where(
                GroupSession.quorum_checked_at.is_(None),
                GroupSession.status == "scheduled",
            )
        )
        wrapup = await self.earliest(select(func.min(GroupSession.wrapup_due_at)))
        found = [d for d in (reminder, quorum, wrapup) if d is not None]
        return min(found) if found else None

    async def take_due(self, now: datetime) -> list[Any]:
        """Claim every due reminder, quorum check and wrap-up exactly once; return events."""
        events: list[Any] = []
        events.extend(await self._take_reminders(now))
        events.extend(await self._take_quorum(now))
        events.extend(await self._take_wrapups(now))
        return events

    async def _take_wrapups(self, now: datetime) -> list[SessionEnded]:
        async with self.db.begin() as s:
            # Clearing the due time is the claim: a second claimer finds nothing to clear.
            claimed = await _claimed(
                s,
                update(GroupSession)
                .where(
                    GroupSession.wrapup_due_at <= now,
                    GroupSession.status == "scheduled",
                    GroupSession.attendance_marked_at.is_(None),
                )
                .values(wrapup_due_at=None)
                .returning(GroupSession.id),
            )
            counts = await reply_counts(s, claimed)
            ended = await _sessions(s, claimed)
            # Owed with the claim: the prompt goes out once, whatever Discord does meanwhile.
            for gs in ended:
                await owe_post(self, s, gs, ENDED, going=counts[gs.id]["going"])
            return [
                SessionEnded(**await self._about(s, gs, counts[gs.id]["going"])) for gs in ended
            ]

    async def _about(self, s: AsyncSession, gs: GroupSession, going: int) -> dict[str, Any]:
        """Return what a message to the workers about this session needs."""
        config = await s.get(GuildConfig, gs.guild_id)
        return {
            "session_id": gs.id,
            "guild_id": gs.guild_id,
            "title": gs.title,
            "starts_at": gs.starts_at,
            "local_text": local_range(self.settings_for(gs.guild_id), gs),
            "going": going,
            "worker_log_channel_id": config.worker_log_channel_id if config else None,
            "created_by": gs.created_by,
        }

    async def _claim(self, s: AsyncSession, ids: list[int], values: dict[str, Any]) -> set[int]:
        if not ids:
            return set()
        # The WHERE on both marks makes a second, concurrent claimer get nothing.
        return set(
            await _claimed(
                s,
                update(SessionReminder)
                .where(SessionReminder.id.in_(ids), *PENDING)
                .values(**values)
                .returning(SessionReminder.id),
            )
        )

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
                    .where(SessionReminder.due_at <= now, *PENDING)
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
            # sent_at marks the reminder handed to the outbox, in this same transaction; the
            # sender records it as skipped (with the reason) if it can never go out.
            sent = await self._claim(s, send, {"sent_at": now})
            await owe_reminders(
                s,
                [
                    (
                        gs,
                        member.id,
                        {
                            "reminder_id": reminder.id,
                            "due_at": reminder.due_at.isoformat(),
                            "late_minutes": int((now - reminder.due_at).total_seconds() // 60),
                        },
                        f"{reminder.id}@{int(reminder.due_at.timestamp())}",
                    )
                    for reminder, gs, member, _rsvp in rows
                    if reminder.id in sent
                ],
                now,
            )
            for reason, ids in skip.items():
                for rid in await self._claim(s, ids, {"skipped_at": now, "skip_reason": reason}):
                    log.warning("sessions: reminder %s skipped: %s", rid, reason)
            return [
                reminder_event(
                    self.settings_for(gs.guild_id),
                    reminder,
                    gs,
                    member,
                    int((now - reminder.due_at).total_seconds() // 60),
                )
                for reminder, gs, member, _rsvp in rows
                if reminder.id in sent
            ]

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
        if now - reminder.due_at > max_lateness(self.settings_for(gs.guild_id), reminder.kind):
            return "too late to be useful"
        # Checked again at send time: people change their minds, pause or turn DMs off.
        if not has_place(rsvp):
            return "no longer going"
        if member.status != "approved" or not member.dm_opt_in:
            return "reminders turned off"
        return None

    async def _take_quorum(self, now: datetime) -> list[QuorumAlert]:
        def needed(gs: GroupSession) -> int:
            rules = self.settings_for(gs.guild_id).sessions
            return rules.quorum_minimum + rules.quorum_reserve

        async with self.db.begin() as s:
            claimed = await _claimed(
                s,
                update(GroupSession)
                .where(
                    GroupSession.quorum_due_at <= now,
                    GroupSession.quorum_checked_at.is_(None),
                    GroupSession.status == "scheduled",
                )
                .values(quorum_checked_at=now)
                .returning(GroupSession.id),
            )
            counts = await reply_counts(s, claimed)
            short = [
                gs
                for gs in await _sessions(s, claimed)
                if gs.starts_at > now and counts[gs.id]["going"] < needed(gs)
            ]
            for gs in short:
                await owe_post(self, s, gs, QUORUM, going=counts[gs.id]["going"], needed=needed(gs))
            return [
                QuorumAlert(needed=needed(gs), **await self._about(s, gs, counts[gs.id]["going"]))
                for gs in short
            ]
