"""Reminder rows, exactly-once claiming, late and skipped reminders, quorum alerts."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import SessionReminder
from bot.scheduler import Scheduler
from bot.services.container import Services, build_services
from bot.services.sessions import QuorumAlert, SessionEdit, SessionEnded
from bot.services.sessions import SessionReminder as SessionReminderEvent
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_sessions_helpers import ZOOM, scheduled

PAPERS = "https://example.org/papers.pdf"


async def rows(sessions) -> list[SessionReminder]:
    async with sessions() as s:
        return list(
            await s.scalars(
                select(SessionReminder).order_by(SessionReminder.member_id, SessionReminder.due_at)
            )
        )


async def reminders_only(services: Services, now: datetime) -> list[SessionReminderEvent]:
    events = await services.group_sessions.take_due(now)
    return [e for e in events if isinstance(e, SessionReminderEvent)]


async def test_rows_for_opted_in_confirmed_attendees_only(services: Services, sessions) -> None:
    await set_up_guild(services)
    yes = await approved_member(services, 4001, "Yes")
    quiet = await approved_member(services, 4002, "Quiet", dm_opt_in=False)
    unsure = await approved_member(services, 4003, "Unsure")
    view = await scheduled(services, papers_url=PAPERS)
    await services.group_sessions.replies.rsvp(yes, view.id, "going")
    await services.group_sessions.replies.rsvp(quiet, view.id, "going")
    await services.group_sessions.replies.rsvp(unsure, view.id, "maybe")
    found = await rows(sessions)
    assert [(r.kind, r.due_at) for r in found] == [
        ("papers", view.starts_at - timedelta(days=7)),
        ("24h", view.starts_at - timedelta(hours=24)),
        ("1h", view.starts_at - timedelta(hours=1)),
    ]
    # Changing to can't removes the unsent rows; coming back makes them again.
    await services.group_sessions.replies.rsvp(yes, view.id, "cant")
    assert await rows(sessions) == []
    await services.group_sessions.replies.rsvp(yes, view.id, "going")
    assert len(await rows(sessions)) == 3


async def test_due_reminder_carries_every_detail(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4011, "Sam")
    view = await scheduled(services, papers_url=PAPERS, place="Room 2, Town Hall")
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    assert await services.group_sessions.next_due() == view.starts_at - timedelta(days=7)
    clock.set(view.starts_at - timedelta(days=7, seconds=1))
    assert await reminders_only(services, clock.now()) == []
    clock.set(view.starts_at - timedelta(days=7))
    (papers,) = await reminders_only(services, clock.now())
    assert papers.kind == "papers" and papers.papers_url == PAPERS and papers.late_minutes == 0
    clock.set(view.starts_at - timedelta(hours=24))
    (day,) = await reminders_only(services, clock.now())
    assert day.kind == "24h"
    assert day.user_id == sam.user_id and day.title == "Monthly group"
    assert day.starts_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert day.local_text == "Thursday 10 December 2026, 5:00pm to 6:30pm (UK time)"
    assert day.online_link == ZOOM and day.place == "Room 2, Town Hall"
    assert await reminders_only(services, clock.now()) == []


async def test_two_claimers_at_once_send_each_reminder_once(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    people = [await approved_member(services, 4100 + i, f"P{i}") for i in range(8)]
    view = await scheduled(services)
    for p in people:
        await services.group_sessions.replies.rsvp(p, view.id, "going")
    clock.set(view.starts_at - timedelta(minutes=59))
    first, second, third = await asyncio.gather(
        *(services.group_sessions.take_due(clock.now()) for _ in range(3))
    )
    sent = [e.reminder_id for e in [*first, *second, *third] if isinstance(e, SessionReminderEvent)]
    # 24h reminders are far too late by now (skipped); the 1h ones go, once each.
    assert len(sent) == len(set(sent)) == 8


async def test_down_bot_sends_late_if_useful_and_skips_and_logs_otherwise(
    services: Services, clock: ManualClock, sessions, caplog: pytest.LogCaptureFixture
) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4201, "Sam")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    # Down from before the 24h reminder until 2 hours after it: still useful, sent late.
    clock.set(view.starts_at - timedelta(hours=22))
    (late,) = await reminders_only(services, clock.now())
    assert late.kind == "24h" and late.late_minutes == 120
    # Down through the 1h reminder until 10 minutes before the start: 50 minutes late is
    # more than the 30 allowed, so it is skipped and logged.
    clock.set(view.starts_at - timedelta(minutes=10))
    with caplog.at_level(logging.WARNING):
        assert await reminders_only(services, clock.now()) == []
    assert "too late to be useful" in caplog.text
    skipped = [r for r in await rows(sessions) if r.kind == "1h"]
    assert skipped[0].skipped_at == clock.now() and skipped[0].sent_at is None
    # No reminder is left; what remains due is the prompt to mark attendance at the end.
    assert await services.group_sessions.next_due() == view.ends_at


async def test_never_after_the_start(services: Services, clock: ManualClock, sessions) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4301, "Sam")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    clock.set(view.starts_at + timedelta(minutes=1))
    assert await reminders_only(services, clock.now()) == []
    reasons = {r.skip_reason for r in await rows(sessions)}
    assert reasons == {"too late: session started"}


async def test_pausing_or_dm_opt_out_skips_at_send_time(
    services: Services, clock: ManualClock, sessions
) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4401, "Sam")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    await services.membership.pause(sam)
    clock.set(view.starts_at - timedelta(hours=24))
    assert await reminders_only(services, clock.now()) == []
    assert {r.skip_reason for r in await rows(sessions) if r.kind == "24h"} == {
        "reminders turned off"
    }


async def test_waitlisted_get_reminders_when_promoted(services: Services, sessions) -> None:
    await set_up_guild(services)
    first = await approved_member(services, 4501, "First")
    waiting = await approved_member(services, 4502, "Waiting")
    view = await scheduled(services, capacity=1)
    await services.group_sessions.replies.rsvp(first, view.id, "going")
    await services.group_sessions.replies.rsvp(waiting, view.id, "going")
    owners = {r.member_id for r in await rows(sessions)}
    assert len(owners) == 1
    await services.group_sessions.replies.rsvp(first, view.id, "cant")
    owners = {r.member_id for r in await rows(sessions)}
    assert len(owners) == 1 and owners != set()
    assert len(await rows(sessions)) == 2


async def test_edit_moves_reminders_and_rearms_sent_ones(
    services: Services, clock: ManualClock, sessions
) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4601, "Sam")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    clock.set(view.starts_at - timedelta(hours=24))
    assert len(await reminders_only(services, clock.now())) == 1
    # A retitle changes nothing about timing and sends nothing again.
    await services.group_sessions.scheduling.edit(WORKER, view.id, SessionEdit(title="Renamed"))
    assert await reminders_only(services, clock.now()) == []
    moved = await services.group_sessions.scheduling.edit(
        WORKER, view.id, SessionEdit(start="2026-12-17 17:00"), confirm=True
    )
    assert moved.time_changed and [n.user_id for n in moved.notify] == [sam.user_id]
    new_start = datetime(2026, 12, 17, 17, 0, tzinfo=UTC)
    assert sorted(r.due_at for r in await rows(sessions)) == [
        new_start - timedelta(hours=24),
        new_start - timedelta(hours=1),
    ]
    clock.set(new_start - timedelta(hours=24))
    (again,) = await reminders_only(services, clock.now())
    assert again.title == "Renamed" and again.starts_at == new_start


async def test_cancel_stops_reminders_and_returns_everyone_who_replied(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    people = [await approved_member(services, 4700 + i, f"P{i}") for i in range(3)]
    view = await scheduled(services, capacity=1)
    for person, reply in zip(people, ["going", "going", "cant"], strict=True):
        await services.group_sessions.replies.rsvp(person, view.id, reply)
    outcome = await services.group_sessions.scheduling.cancel(WORKER, view.id, reason="Snow")
    assert sorted(r.user_id for r in outcome.notify) == sorted(p.user_id for p in people)
    assert outcome.reason == "Snow"
    clock.set(view.starts_at - timedelta(hours=1))
    assert await services.group_sessions.take_due(clock.now()) == []
    assert await services.group_sessions.next_due() is None


async def test_quorum_alert_once_when_short(services: Services, clock: ManualClock) -> None:
    record = await set_up_guild(services)
    a = await approved_member(services, 4801, "A", dm_opt_in=False)
    b = await approved_member(services, 4802, "B", dm_opt_in=False)
    short = await scheduled(services)
    await services.group_sessions.replies.rsvp(a, short.id, "going")
    await services.group_sessions.replies.rsvp(b, short.id, "going")
    check = short.starts_at - timedelta(hours=72)
    assert await services.group_sessions.next_due() == check
    clock.set(check)
    results = await asyncio.gather(
        services.group_sessions.take_due(clock.now()),
        services.group_sessions.take_due(clock.now()),
    )
    alerts = [e for batch in results for e in batch if isinstance(e, QuorumAlert)]
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.going, alert.needed) == (2, 3)  # minimum 2 plus a reserve
    assert alert.worker_log_channel_id == record.channel_ids["worker_log"]
    assert alert.created_by == WORKER.user_id
    assert await services.group_sessions.take_due(clock.now() + timedelta(hours=1)) == []


async def test_no_alert_when_enough_are_going(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    people = [await approved_member(services, 4900 + i, f"P{i}", dm_opt_in=False) for i in range(3)]
    view = await scheduled(services)
    for p in people:
        await services.group_sessions.replies.rsvp(p, view.id, "going")
    clock.set(view.starts_at - timedelta(hours=72))
    assert await services.group_sessions.take_due(clock.now()) == []


async def test_quorum_checked_halfway_when_scheduled_inside_the_window(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    view = await scheduled(services, start="2026-11-25 17:00")  # 53 hours away
    due = await services.group_sessions.next_due()
    assert due == clock.now() + (view.starts_at - clock.now()) / 2


async def test_restart_mid_schedule_sends_every_due_reminder_once(
    services: Services, settings, sessions, clock: ManualClock
) -> None:
    await set_up_guild(services)
    people = [await approved_member(services, 5000 + i, f"P{i}") for i in range(4)]
    views = [await scheduled(services, start=f"2026-12-{10 + i} 17:00") for i in range(3)]
    for view in views:
        for person in people:
            await services.group_sessions.replies.rsvp(person, view.id, "going")
    delivered: list[int] = []

    async def handler(event: SessionReminderEvent) -> None:
        delivered.append(event.reminder_id)

    async def alert(event: QuorumAlert) -> None:
        return None

    def boot() -> Scheduler:
        fresh = build_services(settings, sessions, clock)  # a new process, same database
        scheduler = Scheduler(clock)
        for source in fresh.due_sources():
            if source.name == "sessions":
                scheduler.add_source(source)
        scheduler.on(SessionReminderEvent, handler)
        scheduler.on(QuorumAlert, alert)
        return scheduler

    first = boot()
    for moment in (
        views[0].starts_at - timedelta(hours=24),
        views[0].starts_at - timedelta(hours=1),
        views[1].starts_at - timedelta(hours=24),
    ):
        clock.set(moment)
        await first.run_pending()
    assert len(delivered) == 12
    # The bot is down across the second session's 1h reminder and comes back 20 minutes
    # late: a new process on the same database catches up, sending it late, once.
    clock.set(views[1].starts_at - timedelta(minutes=40))
    second = boot()
    await second.run_pending()
    await second.run_pending()
    assert len(delivered) == 16
    # Two processes racing on the last reminders still send each one once.
    for moment in (
        views[2].starts_at - timedelta(hours=24),
        views[2].starts_at - timedelta(hours=1),
    ):
        clock.set(moment)
        await asyncio.gather(second.run_pending(), boot().run_pending())
    assert len(delivered) == len(set(delivered)) == 4 * 2 * 3


async def test_workers_are_prompted_once_to_mark_attendance(
    services: Services, clock: ManualClock
) -> None:
    record = await set_up_guild(services)
    marked = await scheduled(services)
    prompted = await scheduled(services, start="2026-12-10 19:00")
    moved = await scheduled(services, start="2026-12-10 19:00")
    cancelled = await scheduled(services, start="2026-12-10 19:00")
    await services.group_sessions.scheduling.cancel(WORKER, cancelled.id)
    await services.group_sessions.scheduling.edit(
        WORKER, moved.id, SessionEdit(start="2026-12-11 19:00"), confirm=True
    )
    clock.set(marked.ends_at)
    await services.group_sessions.attendance.mark_attendance(WORKER, marked.id, [])
    clock.set(prompted.ends_at)
    results = await asyncio.gather(
        services.group_sessions.take_due(clock.now()),
        services.group_sessions.take_due(clock.now()),
    )
    ended = [e for batch in results for e in batch if isinstance(e, SessionEnded)]
    assert [e.session_id for e in ended] == [prompted.id]
    assert ended[0].worker_log_channel_id == record.channel_ids["worker_log"]
    assert await services.group_sessions.next_due() == moved.ends_at + timedelta(days=1)
