"""Session reminders, notices and posts go out exactly once through Discord's failures and restarts.

Closed DMs are recorded with the reason, a reminder is never sent once the session has started,
and a cancellation reaches only the people still in the group.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.db.models import OutboxItem, SessionReminder
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.container import build_services
from bot.services.sessions import SessionReminder as ReminderEvent
from bot.settings import Settings
from tests.e2e.flows import approved
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    custom_ids,
    everything_text,
    settle,
    slash,
)
from tests.e2e.test_sessions import ZOOM, dms, press, schedule, session_id

DAY_BEFORE = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)  # the 24h reminder of the 10th, 5pm
HOUR_BEFORE = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
WHEN = "Thursday 10 December 2026, 5:00pm"


async def drain(harness: BotHarness, clock: ManualClock, rounds: int = 6) -> None:
    """Run the scheduler repeatedly, letting each retry's back-off pass on the bot's clock."""
    for _ in range(rounds):
        await harness.run_due()
        clock.advance(timedelta(seconds=30))


def dm_posts(fake: FakeDiscord, user: int) -> str:
    """Return the route of a DM to this person (so a fault hits their DM and nothing else)."""
    return rf"^/channels/{fake.dm_channel_id(user)}/messages$"


async def outbox(db: async_sessionmaker[AsyncSession], kind: str) -> list[OutboxItem]:
    async with db() as s:
        return list(await s.scalars(select(OutboxItem).where(OutboxItem.kind == kind)))


async def reminder_rows(db: async_sessionmaker[AsyncSession], kind: str) -> list[SessionReminder]:
    async with db() as s:
        return list(await s.scalars(select(SessionReminder).where(SessionReminder.kind == kind)))


async def test_a_reminder_through_a_503_and_a_lost_reply_arrives_exactly_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    ana = await approved(fake, group, "Ana")
    (announcement,) = await schedule(fake, group)
    await press(fake, ana, announcement, "going")
    fake.faults.fail_next("POST", dm_posts(fake, ana), 503)
    fake.faults.fail_next("POST", dm_posts(fake, ana), 503, after_effect=True)  # reply lost
    clock.set(DAY_BEFORE)
    await drain(harness, clock)
    [day] = dms(fake, ana, "tomorrow")
    # Date, time and link in full, as every reminder must.
    assert WHEN in day["content"] and ZOOM in day["content"]
    assert len(fake.faults.given) == 2
    await harness.restart()
    await drain(harness, clock, rounds=2)
    assert len(dms(fake, ana, "tomorrow")) == 1
    assert (await harness.services.outbox.counts()).get("pending", 0) == 0


async def test_a_restart_between_the_decision_and_the_dm_still_sends_it_once(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    e2e_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ana = await approved(fake, group, "Ana")
    (announcement,) = await schedule(fake, group)
    await press(fake, ana, announcement, "going")
    await harness.stop()
    # The claim commits in a process that stops before it can send anything.
    clock.set(DAY_BEFORE)
    dying = build_services(e2e_settings, sessions, clock)
    claimed = await dying.group_sessions.take_due(clock.now())
    assert [e.kind for e in claimed if isinstance(e, ReminderEvent)] == ["24h"]
    assert dms(fake, ana, "tomorrow") == []
    await harness.start()
    await fake.wait_for(lambda: dms(fake, ana, "tomorrow"))
    await harness.restart()
    await drain(harness, clock, rounds=2)
    assert len(dms(fake, ana, "tomorrow")) == 1


async def test_closed_dms_are_recorded_with_the_reason_and_never_retried(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ana = await approved(fake, group, "Ana")
    kit = await approved(fake, group, "Kit")
    (announcement,) = await schedule(fake, group)
    await press(fake, ana, announcement, "going")
    await press(fake, kit, announcement, "going")
    fake.set_dms_open(kit, False)
    clock.set(DAY_BEFORE)
    await drain(harness, clock)
    assert len(dms(fake, ana, "tomorrow")) == 1 and dms(fake, kit, "tomorrow") == []
    [failed] = await harness.services.outbox.failures(group["guild"])
    assert failed.kind == "sessions.reminder"
    assert failed.reason == "the person's DMs are closed to the bot"
    rows = await outbox(sessions, "sessions.reminder")
    assert sorted(r.status for r in rows) == ["done", "failed"]
    assert max(r.attempts for r in rows) == 1  # 50007 is final: never tried again
    # The reminder's own record (which /mydata shows) says why it never arrived.
    reasons = {r.skip_reason for r in await reminder_rows(sessions, "24h")}
    assert reasons == {None, "the person's DMs are closed to the bot"}


async def test_a_reminder_held_up_until_the_session_started_is_skipped_not_sent(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    e2e_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ana = await approved(fake, group, "Ana")
    (announcement,) = await schedule(fake, group)
    await press(fake, ana, announcement, "going")
    await harness.stop()
    clock.set(HOUR_BEFORE)
    claimed = await build_services(e2e_settings, sessions, clock).group_sessions.take_due(
        clock.now()
    )
    assert "1h" in [e.kind for e in claimed if isinstance(e, ReminderEvent)]
    clock.set(HOUR_BEFORE + timedelta(hours=1, minutes=5))  # back after the start
    await harness.start()
    await drain(harness, clock, rounds=2)
    assert dms(fake, ana, "in an hour") == []
    [row] = await reminder_rows(sessions, "1h")
    assert row.skip_reason == "too late: session started" and row.sent_at is None
    [owed] = await outbox(sessions, "sessions.reminder")
    assert owed.status == "failed" and owed.last_error == "too late: session started"


async def test_the_announcement_and_a_promotion_through_lost_replies_appear_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    ana = await approved(fake, group, "Ana")
    ben = await approved(fake, group, "Ben")
    posts = rf"^/channels/{group['#sessions']}/messages$"
    fake.faults.fail_next("POST", posts, 503)
    fake.faults.fail_next("POST", posts, 503, after_effect=True)
    handle = await slash(
        fake,
        group.worker,
        group["guild"],
        "session schedule",
        {
            "title": "Monthly group",
            "start": "2026-12-10 17:00",
            "duration": "90",
            "online_link": ZOOM,
            "places": 1,
        },
    )
    assert "scheduled" in await settle(fake, handle)
    await drain(harness, clock, rounds=3)
    [announcement] = fake.messages_in(group["#sessions"])
    assert f"session:rsvp:{session_id(announcement)}:going" in custom_ids(announcement)
    await press(fake, ana, announcement, "going")
    await press(fake, ben, announcement, "going")  # full: Ben waits
    fake.faults.fail_next("POST", dm_posts(fake, ben), 503)
    fake.faults.fail_next("POST", dm_posts(fake, ben), 503, after_effect=True)
    await press(fake, ana, announcement, "cant")
    await drain(harness, clock, rounds=3)
    [promoted] = dms(fake, ben, "a place came up")
    assert ZOOM in promoted["content"] and WHEN in promoted["content"]
    assert promoted.get("attachments")  # the calendar file came with the retry too
    assert len(fake.faults.given) == 4


async def test_cancelling_tells_only_people_still_in_the_group_once_each(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ana = await approved(fake, group, "Ana")
    quiet = await approved(fake, group, "Quinn", reminder_dms=False)
    lou = await approved(fake, group, "Lou")
    (announcement,) = await schedule(fake, group)
    for person, reply in ((ana, "going"), (quiet, "maybe"), (lou, "going")):
        await press(fake, person, announcement, reply)
    ask = await slash(fake, lou, group["guild"], "leave")
    await answered(await fake.click(lou, int(ask.original["id"]), "confirm:yes"))
    await drain(harness, clock, rounds=2)  # the sweep frees the place Lou held

    fake.faults.fail_next("POST", dm_posts(fake, ana), 503)
    fake.faults.fail_next("POST", dm_posts(fake, ana), 503, after_effect=True)
    sid = session_id(announcement)
    ask = await slash(
        fake, group.worker, group["guild"], "session cancel", {"session": sid, "reason": "Snow"}
    )
    done = await answered(
        await fake.click(group.worker, int(ask.original["id"]), "session:confirm:yes")
    )
    assert "2 people who replied are being told" in (done.content or ""), done.content
    await drain(harness, clock)
    for person in (ana, quiet):  # a cancellation is told whatever the reminder choice
        [told] = dms(fake, person, "cancelled")
        assert "Snow" in told["content"] and WHEN in told["content"]
        assert "Where: Online" in told["content"] and ZOOM not in told["content"]
    assert dms(fake, lou, "cancelled") == []  # Lou left the group: not told any more
    assert len(fake.faults.given) == 2
    cancelled = fake.message(int(announcement["id"]))
    assert "Cancelled" in everything_text(cancelled) and custom_ids(cancelled) == []
    rows = await outbox(sessions, "sessions.cancelled")
    assert [r.status for r in rows] == ["done", "done"]


async def test_the_event_alerts_feedback_and_minutes_through_lost_replies_appear_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    ana = await approved(fake, group, "Ana")
    events = rf"^/guilds/{group['guild']}/scheduled-events$"
    fake.faults.fail_next("POST", events, 503)
    fake.faults.fail_next("POST", events, 503, after_effect=True)  # made, but the reply lost
    (announcement,) = await schedule(fake, group)
    await press(fake, ana, announcement, "going")
    await drain(harness, clock, rounds=3)
    [event] = fake.scheduled_events(group["guild"])
    assert event["scheduled_start_time"].startswith("2026-12-10T17:00")

    log = rf"^/channels/{group['#worker-log']}/messages$"
    fake.faults.fail_next("POST", log, 503)
    fake.faults.fail_next("POST", log, 503, after_effect=True)
    clock.set(datetime(2026, 12, 7, 17, 0, tzinfo=UTC))  # the quorum check, 72 hours before
    await drain(harness, clock)
    [alert] = [m for m in fake.messages_in(group["#worker-log"]) if "⚠️" in str(m)]
    assert "1 member going" in alert["content"]

    clock.set(datetime(2026, 12, 10, 18, 30, tzinfo=UTC))
    fake.faults.fail_next("POST", dm_posts(fake, ana), 503)
    fake.faults.fail_next("POST", dm_posts(fake, ana), 503, after_effect=True)
    sid = session_id(announcement)
    form = await slash(fake, group.worker, group["guild"], "session attendance", {"session": sid})
    await answered(await fake.click(group.worker, int(form.original["id"]), "session:att:save"))
    minutes = rf"^/channels/{group['#announcements']}/messages$"
    fake.faults.fail_next("POST", minutes, 503)
    fake.faults.fail_next("POST", minutes, 503, after_effect=True)
    modal = await slash(fake, group.worker, group["guild"], "session minutes", {"session": sid})
    await answered(await fake.submit_modal(group.worker, modal, {"text": "We agreed a plan."}))
    await drain(harness, clock)
    [ask] = dms(fake, ana, "How was it?")
    assert f"session:feedback:{sid}" in custom_ids(ask)
    posted = [m for m in fake.messages_in(group["#announcements"]) if "Minutes" in str(m)]
    assert len(posted) == 1 and "We agreed a plan." in everything_text(posted[0])
    assert len(fake.faults.given) == 8
    assert (await harness.services.outbox.counts()).get("pending", 0) == 0
