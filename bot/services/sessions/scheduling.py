"""Workers schedule, change and cancel sessions (one, or a repeating series)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, GroupSession, SessionReminder, SessionSeries
from bot.services.access import Actor, require_worker
from bot.services.errors import Conflict
from bot.services.sessions.common import (
    REASON_MAX,
    Keep,
    Promotion,
    Recipient,
    SessionEdit,
    SessionForm,
    SessionsBase,
    SessionView,
)
from bot.services.sessions.reminders import quorum_due, refresh_reminders
from bot.services.sessions.rsvp import RsvpMixin, confirmed_count, promote
from bot.services.sessions.rules import RulesMixin
from bot.services.text import clean_text
from bot.services.timeparse import localize

HORIZON = timedelta(days=730)


@dataclass(frozen=True)
class ScheduleOutcome:
    """Saved sessions, or (saved=False) the warnings the worker must confirm first."""

    saved: bool
    warnings: tuple[str, ...]
    sessions: tuple[SessionView, ...]
    online_link: str | None
    sessions_channel_id: int | None


@dataclass(frozen=True)
class EditOutcome:
    """Changed sessions and who to tell, or (saved=False) warnings to confirm."""

    saved: bool
    warnings: tuple[str, ...]
    sessions: tuple[SessionView, ...]
    time_changed: bool
    notify: tuple[Recipient, ...]
    promoted: tuple[Promotion, ...]
    online_link: str | None


@dataclass(frozen=True)
class CancelOutcome:
    """Cancelled sessions (their Discord events to cancel) and everyone who replied."""

    sessions: tuple[SessionView, ...]
    notify: tuple[Recipient, ...]
    reason: str | None


class SchedulingMixin(RulesMixin, RsvpMixin, SessionsBase):
    """Scheduling, editing and cancelling, with the reasonable-adjustment checks."""

    async def schedule(
        self, actor: Actor, form: SessionForm, *, confirm: bool = False
    ) -> ScheduleOutcome:
        """Create a session (or a series); warnings need a second call with confirm=True."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            fields = self._fields(vars(form))
            starts = self._occurrences(self._start(form.start, now), form, now)
            warnings = tuple(self._warnings(starts, fields["duration_minutes"], now))
            if warnings and not confirm:
                return ScheduleOutcome(False, warnings, (), None, config.sessions_channel_id)
            series_id = None
            if len(starts) > 1:
                series = SessionSeries(
                    guild_id=actor.guild_id, repeat=form.repeat, count=len(starts), created_at=now
                )
                s.add(series)
                await s.flush()
                series_id = series.id
            rows = []
            for start in starts:
                gs = GroupSession(
                    guild_id=actor.guild_id,
                    series_id=series_id,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=fields["duration_minutes"]),
                    status="scheduled",
                    sequence=0,
                    created_by=actor.user_id,
                    created_at=now,
                    updated_at=now,
                    quorum_due_at=quorum_due(self.settings, start, now),
                    wrapup_due_at=start + timedelta(minutes=fields["duration_minutes"]),
                    **fields,
                )
                s.add(gs)
                rows.append(gs)
            await s.flush()
            for gs in rows:
                s.add(self._audit(actor, "session.schedule", gs, now))
            return ScheduleOutcome(
                True,
                warnings,
                tuple(await self._views(s, rows)),
                fields["online_link"],
                config.sessions_channel_id,
            )

    def _audit(self, actor: Actor, action: str, gs: GroupSession, now: datetime) -> AuditEntry:
        return AuditEntry(
            guild_id=actor.guild_id,
            actor_user_id=actor.user_id,
            action=action,
            detail=f"session {gs.id}",
            at=now,
        )

    async def _targets(
        self, s: AsyncSession, gs: GroupSession, whole_series: bool, now: datetime
    ) -> list[GroupSession]:
        if not whole_series or gs.series_id is None:
            return [gs]
        later = await s.scalars(
            select(GroupSession)
            .where(
                GroupSession.series_id == gs.series_id,
                GroupSession.status == "scheduled",
                GroupSession.starts_at > gs.starts_at,
            )
            .order_by(GroupSession.starts_at)
            .with_for_update()
        )
        return [gs, *later]

    def _check_open(self, gs: GroupSession, now: datetime, doing: str) -> None:
        if gs.status != "scheduled":
            raise Conflict(f"This session has been cancelled, so it can't be {doing}.")
        if gs.starts_at <= now:
            raise Conflict(f"This session has already started, so it can't be {doing} now.")

    async def edit(
        self,
        actor: Actor,
        session_id: int,
        changes: SessionEdit,
        *,
        whole_series: bool = False,
        confirm: bool = False,
    ) -> EditOutcome:
        """Change a session (or it and the rest of its series); say who to tell if it moved."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await self._get(s, actor.guild_id, session_id, lock=True)
            self._check_open(gs, now, "changed")
            targets = await self._targets(s, gs, whole_series, now)
            current = {
                name: getattr(gs, name)
                for name in (
                    "title agenda duration_minutes online_link place locality capacity "
                    "audience audience_value papers_url"
                ).split()
            }
            given = {k: v for k, v in vars(changes).items() if not isinstance(v, Keep)}
            start_text = given.pop("start", None)
            fields = self._fields({**current, **given})
            new_starts = [t.starts_at for t in targets]
            if start_text is not None:
                first = self._start(start_text, now)
                shift = first.astimezone(self.tz).replace(tzinfo=None) - gs.starts_at.astimezone(
                    self.tz
                ).replace(tzinfo=None)
                # Shift in wall-clock time, so "5pm" stays 5pm across a clock change.
                new_starts = [first] + [
                    localize(t.starts_at.astimezone(self.tz).replace(tzinfo=None) + shift, self.tz)
                    for t in targets[1:]
                ]
            time_changed = new_starts != [t.starts_at for t in targets] or (
                fields["duration_minutes"] != gs.duration_minutes
            )
            for target in targets:
                going = await confirmed_count(s, target.id)
                if fields["capacity"] is not None and fields["capacity"] < going:
                    raise Conflict(
                        f"{going} people already have a place, so the number of places can't be "
                        f"lower than {going}."
                    )
            checks = time_changed or fields["audience"] != gs.audience
            warnings = (
                tuple(self._warnings(new_starts, fields["duration_minutes"], now)) if checks else ()
            )
            if warnings and not confirm:
                return EditOutcome(False, warnings, (), False, (), (), None)
            where_changed = (fields["place"], fields["online_link"]) != (gs.place, gs.online_link)
            promoted: list[Promotion] = []
            for target, start in zip(targets, new_starts, strict=True):
                moved = target.starts_at != start
                for name, value in fields.items():
                    setattr(target, name, value)
                target.starts_at = start
                target.ends_at = start + timedelta(minutes=fields["duration_minutes"])
                if target.attendance_marked_at is None:
                    target.wrapup_due_at = target.ends_at
                target.sequence += 1
                target.updated_at = now
                if moved:
                    target.quorum_due_at = quorum_due(self.settings, start, now)
                    target.quorum_checked_at = None
                await s.flush()
                lifted = await promote(s, self.settings, target, now)
                await refresh_reminders(s, self.settings, target, now, rearm=moved)
                s.add(self._audit(actor, "session.edit", target, now))
                view = await self._one_view(s, target)
                promoted.extend(self._promotions(view, target, lifted))
            notify: tuple[Recipient, ...] = ()
            if time_changed or where_changed:
                notify = tuple(await self._repliers(s, [t.id for t in targets], include_cant=False))
            return EditOutcome(
                True,
                warnings,
                tuple(await self._views(s, targets)),
                time_changed,
                notify,
                tuple(promoted),
                fields["online_link"],
            )

    async def cancel(
        self,
        actor: Actor,
        session_id: int,
        *,
        whole_series: bool = False,
        reason: str | None = None,
    ) -> CancelOutcome:
        """Cancel a session (or it and the rest of its series) once; return who to tell."""
        text = clean_text(
            reason, field="the reason", max_length=REASON_MAX, required=False, multiline=True
        )
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await self._get(s, actor.guild_id, session_id, lock=True)
            self._check_open(gs, now, "cancelled")
            ids = [t.id for t in await self._targets(s, gs, whole_series, now)]
            # Conditional on status, so two workers pressing cancel at once cancel once.
            result = await s.execute(
                update(GroupSession)
                .where(GroupSession.id.in_(ids), GroupSession.status == "scheduled")
                .values(
                    status="cancelled",
                    cancelled_at=now,
                    cancelled_by=actor.user_id,
                    cancel_reason=text,
                    wrapup_due_at=None,
                    sequence=GroupSession.sequence + 1,
                    updated_at=now,
                )
                .returning(GroupSession.id)
                .execution_options(synchronize_session=False)
            )
            claimed = sorted(result.scalars())
            if gs.id not in claimed:
                raise Conflict("This session has already been cancelled.")
            await s.execute(
                update(SessionReminder)
                .where(
                    SessionReminder.session_id.in_(claimed),
                    SessionReminder.sent_at.is_(None),
                    SessionReminder.skipped_at.is_(None),
                )
                .values(skipped_at=now, skip_reason="session cancelled")
                .execution_options(synchronize_session=False)
            )
            rows = list(
                await s.scalars(
                    select(GroupSession)
                    .where(GroupSession.id.in_(claimed))
                    .order_by(GroupSession.starts_at)
                    .execution_options(populate_existing=True)
                )
            )
            for row in rows:
                s.add(self._audit(actor, "session.cancel", row, now))
            return CancelOutcome(
                tuple(await self._views(s, rows)),
                tuple(await self._repliers(s, claimed)),
                text,
            )
