"""Workers schedule, change and cancel sessions (one, or a repeating series)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, SessionReminder, SessionSeries
from bot.services.access import Actor, require_worker
from bot.services.base import Service
from bot.services.errors import Conflict
from bot.services.sessions.events import Promotion
from bot.services.sessions.forms import PLAIN_FIELDS, REASON_MAX, Keep, SessionEdit, SessionForm
from bot.services.sessions.owed import (
    ANNOUNCE,
    CANCELLED,
    CHANGED,
    EVENT,
    owe_dm,
    owe_post,
    owe_redraw,
)
from bot.services.sessions.reminder_rows import quorum_due, refresh_reminders
from bot.services.sessions.rules import check_fields, check_start, occurrences, warnings
from bot.services.sessions.views import (
    Recipient,
    SessionView,
    confirmed_count,
    get_session,
    repliers,
    session_view,
    session_views,
)
from bot.services.sessions.waitlist import promote, promotions
from bot.services.text import clean_text
from bot.services.timeparse import localize


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


class SchedulingService(Service):
    """Scheduling, editing and cancelling, with the reasonable-adjustment checks."""

    async def schedule(
        self, actor: Actor, form: SessionForm, *, confirm: bool = False
    ) -> ScheduleOutcome:
        """Create a session (or a series); warnings need a second call with confirm=True."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            fields = check_fields(self.settings_for(actor.guild_id), vars(form))
            starts = occurrences(
                self.settings_for(actor.guild_id),
                check_start(self.settings_for(actor.guild_id), form.start, now),
                form,
                now,
            )
            warned = tuple(
                warnings(
                    self.settings_for(actor.guild_id),
                    starts,
                    fields["duration_minutes"],
                    now,
                    has_papers=bool(fields["papers_url"]),
                )
            )
            if warned and not confirm:
                return ScheduleOutcome(False, warned, (), None, config.sessions_channel_id)
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
                    quorum_due_at=quorum_due(self.settings_for(actor.guild_id), start, now),
                    wrapup_due_at=start + timedelta(minutes=fields["duration_minutes"]),
                    **fields,
                )
                s.add(gs)
                rows.append(gs)
            await s.flush()
            for gs in rows:
                self.audit(s, actor, "session.schedule", detail=f"session {gs.id}")
                await owe_post(self, s, gs, ANNOUNCE, channel_id=config.sessions_channel_id)
                await owe_post(self, s, gs, EVENT)
            outcome = ScheduleOutcome(
                True,
                warned,
                tuple(await session_views(s, self.settings_for(actor.guild_id), rows)),
                fields["online_link"],
                config.sessions_channel_id,
            )
        self.wake()
        return outcome

    async def _targets(
        self, s: AsyncSession, gs: GroupSession, whole_series: bool
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
            gs = await get_session(s, actor.guild_id, session_id, lock=True)
            self._check_open(gs, now, "changed")
            targets = await self._targets(s, gs, whole_series)
            current = {name: getattr(gs, name) for name in PLAIN_FIELDS}
            current.update(audience=gs.audience_kind, audience_value=gs.audience_value)
            given = {k: v for k, v in vars(changes).items() if not isinstance(v, Keep)}
            start_text = given.pop("start", None)
            fields = check_fields(self.settings_for(actor.guild_id), {**current, **given})
            new_starts = [t.starts_at for t in targets]
            if start_text is not None:
                first = check_start(self.settings_for(actor.guild_id), start_text, now)
                # Shift in wall-clock time, so "5pm" stays 5pm across a clock change.
                shift = self._wall(first) - self._wall(gs.starts_at)
                new_starts = [first] + [
                    localize(self._wall(t.starts_at) + shift, self.settings.tz) for t in targets[1:]
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
            checks = time_changed or fields["audience_kind"] != gs.audience_kind
            warned = (
                tuple(
                    warnings(
                        self.settings_for(actor.guild_id),
                        new_starts,
                        fields["duration_minutes"],
                        now,
                        has_papers=bool(fields["papers_url"]),
                    )
                )
                if checks
                else ()
            )
            if warned and not confirm:
                return EditOutcome(False, warned, (), False, (), (), None)
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
                    target.quorum_due_at = quorum_due(self.settings_for(actor.guild_id), start, now)
                    target.quorum_checked_at = None
                await s.flush()
                lifted = await promote(s, self.settings_for(actor.guild_id), target, now)
                await refresh_reminders(
                    s, self.settings_for(actor.guild_id), target, now, rearm=moved
                )
                self.audit(s, actor, "session.edit", detail=f"session {target.id}")
                view = await session_view(s, self.settings_for(actor.guild_id), target)
                promoted.extend(promotions(view, target, lifted))
                await owe_redraw(self, s, target)
                await owe_post(self, s, target, EVENT)
            notify: tuple[Recipient, ...] = ()
            if time_changed or where_changed:
                notify = tuple(await repliers(s, [t.id for t in targets], include_cant=False))
            by_id = {t.id: t for t in targets}
            for person in notify:
                changed = by_id[person.session_id]
                await owe_dm(
                    self, s, changed, CHANGED, person.member_id, dedup=str(changed.sequence)
                )
            outcome = EditOutcome(
                True,
                warned,
                tuple(await session_views(s, self.settings_for(actor.guild_id), targets)),
                time_changed,
                notify,
                tuple(promoted),
                fields["online_link"],
            )
        self.wake()
        return outcome

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
            gs = await get_session(s, actor.guild_id, session_id, lock=True)
            self._check_open(gs, now, "cancelled")
            ids = [t.id for t in await self._targets(s, gs, whole_series)]
            # Conditional on status, so two workers pressing cancel at once cancel once.
            result = await s.scalars(
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
            claimed = sorted(result)
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
            notify = tuple(await repliers(s, claimed))
            by_id = {row.id: row for row in rows}
            for row in rows:
                self.audit(s, actor, "session.cancel", detail=f"session {row.id}")
                await owe_redraw(self, s, row)
                await owe_post(self, s, row, EVENT)
            # Owed with the cancel, so nobody who replied is left thinking it goes ahead.
            for person in notify:
                await owe_dm(
                    self, s, by_id[person.session_id], CANCELLED, person.member_id, dedup="once"
                )
            outcome = CancelOutcome(
                tuple(await session_views(s, self.settings_for(actor.guild_id), rows)), notify, text
            )
        self.wake()
        return outcome

    def _wall(self, moment: datetime) -> datetime:
        """Return the UK wall-clock time of an instant, without its zone."""
        return moment.astimezone(self.settings.tz).replace(tzinfo=None)
