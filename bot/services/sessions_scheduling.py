"""Workers schedule, change and cancel sessions (one, or a repeating series)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, GroupSession, SessionReminder, SessionSeries
from bot.services.access import Actor, require_worker
from bot.services.errors import Conflict, InvalidInput
from bot.services.sessions_common import (
    AGENDA_MAX,
    AUDIENCES,
    CAPACITY_MAX,
    DURATION_MAX,
    DURATION_MIN,
    PLACE_MAX,
    REASON_MAX,
    REPEATS,
    SERIES_MAX,
    TITLE_MAX,
    Keep,
    Promotion,
    Recipient,
    SessionEdit,
    SessionForm,
    SessionsBase,
    SessionView,
    check_url,
)
from bot.services.sessions_reminders import quorum_due, refresh_reminders
from bot.services.sessions_rsvp import RsvpMixin, confirmed_count, promote
from bot.services.text import clean_text
from bot.services.timeparse import format_clock, localize, parse_date, parse_duration, parse_local

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


def _duration(value: int | str) -> int:
    if isinstance(value, bool):
        raise InvalidInput("Please give the length in minutes, like 90.")
    minutes = value if isinstance(value, int) else parse_duration(value)
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise InvalidInput(
            f"A session must last between {DURATION_MIN} minutes and {DURATION_MAX // 60} "
            f"hours; {minutes} minutes won't work."
        )
    return minutes


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    # The 31st becomes the last day of a shorter month rather than spilling into the next.
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


class SchedulingMixin(RsvpMixin, SessionsBase):
    """Scheduling, editing and cancelling, with the reasonable-adjustment checks."""

    def _fields(self, values: dict[str, Any]) -> dict[str, Any]:
        group = self.settings.group
        out: dict[str, Any] = {
            "title": clean_text(values["title"], field="the title", max_length=TITLE_MAX),
            "agenda": clean_text(
                values.get("agenda"),
                field="the agenda",
                max_length=AGENDA_MAX,
                required=False,
                multiline=True,
            ),
            "duration_minutes": _duration(values["duration_minutes"]),
            "online_link": check_url(values.get("online_link"), "online link"),
            "place": clean_text(
                values.get("place"), field="the place", max_length=PLACE_MAX, required=False
            ),
            "papers_url": check_url(values.get("papers_url"), "papers link"),
        }
        if out["online_link"] is None and out["place"] is None:
            raise InvalidInput(
                "Please give an online link (Zoom or Teams) or a place to meet, or both."
            )
        locality = (values.get("locality") or "").strip() or None
        if locality is not None and locality not in group.localities:
            raise InvalidInput(f"Please choose an area from: {', '.join(group.localities)}.")
        out["locality"] = locality
        capacity = values.get("capacity")
        if capacity is not None and (
            isinstance(capacity, bool)
            or not isinstance(capacity, int)
            or not 1 <= capacity <= CAPACITY_MAX
        ):
            raise InvalidInput(
                f"Places must be a number from 1 to {CAPACITY_MAX}, or left empty for no limit."
            )
        out["capacity"] = capacity
        audience = values.get("audience") or "everyone"
        value = (values.get("audience_value") or "").strip() or None
        if audience not in AUDIENCES:
            raise InvalidInput("Please choose who it is for: everyone, an area or a level.")
        if audience == "everyone":
            value = None
        elif audience == "locality" and value not in group.localities:
            raise InvalidInput(f"Please choose an area from: {', '.join(group.localities)}.")
        elif audience == "level":
            keys = {lv.key: lv.key for lv in self.settings.ladder.levels}
            keys.update({lv.name.casefold(): lv.key for lv in self.settings.ladder.levels})
            if value is None or (value.casefold() not in keys and value not in keys):
                names = ", ".join(lv.name for lv in self.settings.ladder.levels)
                raise InvalidInput(f"Please choose a level from: {names}.")
            value = keys.get(value, keys.get(value.casefold()))
        out["audience"], out["audience_value"] = audience, value
        return out

    def _start(self, text: str, now: datetime) -> datetime:
        start = parse_local(text, now, self.tz)
        if start <= now:
            raise InvalidInput(
                f"{self.local(start)} has already passed. Please choose a time in the future."
            )
        if start - now > HORIZON:
            raise InvalidInput("That is more than two years away. Please choose a nearer date.")
        return start

    def _occurrences(self, first: datetime, form: SessionForm, now: datetime) -> list[datetime]:
        if form.repeat in (None, "", "none"):
            if form.repeat_count not in (None, 1) or form.repeat_until:
                raise InvalidInput(
                    "Please choose how often it repeats: weekly, fortnightly or monthly."
                )
            return [first]
        if form.repeat not in REPEATS:
            raise InvalidInput(
                "Please choose how often it repeats: weekly, fortnightly or monthly."
            )
        if (form.repeat_count is None) == (not form.repeat_until):
            raise InvalidInput(
                f"Please say how many sessions there are (up to {SERIES_MAX}) or the date of the "
                "last one, but not both."
            )
        base = first.astimezone(self.tz).replace(tzinfo=None)
        until = parse_date(form.repeat_until, now, self.tz) if form.repeat_until else None
        if until is not None and until < base.date():
            raise InvalidInput("The end date is before the first session. Please check it.")
        count = SERIES_MAX + 1  # an end date decides; one too many means it makes too many
        if form.repeat_count is not None:
            count = form.repeat_count
            if isinstance(count, bool) or not 1 <= count <= SERIES_MAX:
                raise InvalidInput(f"A series can have from 1 to {SERIES_MAX} sessions.")
        step = REPEATS[form.repeat]
        starts = []
        for k in range(count):
            local = _add_months(base, k) if step == 0 else base + timedelta(days=step * k)
            if until is not None and local.date() > until:
                break
            starts.append(first if k == 0 else localize(local, self.tz))
        if len(starts) > SERIES_MAX:
            raise InvalidInput(
                f"That end date makes more than {SERIES_MAX} sessions. "
                f"A series can have up to {SERIES_MAX}: choose an earlier end date."
            )
        return starts

    def _warnings(self, starts: list[datetime], minutes: int, now: datetime) -> list[str]:
        cfg = self.settings.sessions
        earliest = time.fromisoformat(cfg.earliest_start)
        school = (time.fromisoformat(cfg.school_hours[0]), time.fromisoformat(cfg.school_hours[1]))
        under_18 = bool(self.settings.group.under_18_age_bands)
        found: dict[str, list[datetime]] = {"early": [], "school": [], "papers": []}
        for start in starts:
            local = start.astimezone(self.tz)
            end = (start + timedelta(minutes=minutes)).astimezone(self.tz)
            if local.time() < earliest:
                found["early"].append(start)
            overlaps = local.time() < school[1] and (
                end.time() > school[0] or end.date() > local.date()
            )
            if under_18 and local.weekday() < 5 and overlaps:
                found["school"].append(start)
            if start - now < timedelta(days=cfg.papers_days_before):
                found["papers"].append(start)

        def which(items: list[datetime]) -> str:
            more = len(items) - 1
            return self.local(items[0]) + (f" (and {more} more in the series)" if more else "")

        warnings = []
        if found["early"]:
            warnings.append(
                f"{which(found['early'])} starts before {format_clock(earliest)}. Early starts "
                "are hard for some people (for example because of medication)."
            )
        if found["school"]:
            warnings.append(
                f"{which(found['school'])} is during school hours ({format_clock(school[0])} to "
                f"{format_clock(school[1])} on weekdays) and the audience may include under-18s."
            )
        if found["papers"]:
            warnings.append(
                f"{which(found['papers'])} is less than {cfg.papers_days_before} days away, so "
                f"papers can't go out {cfg.papers_days_before} days before as the standards ask."
            )
        return warnings

    async def schedule(
        self, actor: Actor, form: SessionForm, *, confirm: bool = False
    ) -> ScheduleOutcome:
        """Create a session (or a series); warnings need a second call with confirm=True."""
        now = self.clock.now()
        async with self.sessions.begin() as s:
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
        async with self.sessions.begin() as s:
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
        async with self.sessions.begin() as s:
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
