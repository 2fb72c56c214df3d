"""What sessions owe Discord is written with each decision, and re-checked when it goes out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import OutboxItem, SessionReminder
from bot.services.container import Services
from bot.services.sessions import SessionsPersonalData
from tests.conftest import GUILD, START, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_sessions_helpers import scheduled

OTHER_SERVER = 700000000000000009


async def owed(sessions, kind: str) -> list[OutboxItem]:
    async with sessions() as s:
        return list(
            await s.scalars(
                select(OutboxItem).where(OutboxItem.kind == kind).order_by(OutboxItem.id)
            )
        )


async def member_id(services: Services, actor) -> int:
    return (await services.membership.profile(actor)).id


async def test_each_decision_owes_its_messages_with_it(
    services: Services, clock: ManualClock, sessions
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 7001, "Ana")
    ben = await approved_member(services, 7002, "Ben")
    lou = await approved_member(services, 7003, "Lou")
    view = await scheduled(services, capacity=1)
    [announce] = await owed(sessions, "sessions.announce")
    assert announce.payload["session_id"] == view.id and announce.payload["channel_id"]
    replies = services.group_sessions.replies
    await replies.rsvp(ana, view.id, "going")
    await replies.rsvp(ben, view.id, "going")  # waits
    await replies.rsvp(lou, view.id, "maybe")
    # One redraw not yet claimed covers every reply before it.
    assert len(await owed(sessions, "sessions.redraw")) == 1
    await replies.rsvp(ana, view.id, "cant")
    [promoted] = await owed(sessions, "sessions.promoted")
    assert promoted.subject_member_id == await member_id(services, ben)

    clock.set(view.starts_at - timedelta(hours=24))
    await services.group_sessions.take_due(clock.now())
    [reminder] = await owed(sessions, "sessions.reminder")
    assert reminder.subject_member_id == await member_id(services, ben)
    # Ids only: the person is named through subject_member_id, which erasure clears.
    assert str(ben.user_id) not in str(reminder.payload) and "Ben" not in str(reminder.payload)
    assert [r.kind for r in await owed(sessions, "sessions.quorum")] == ["sessions.quorum"]

    await services.membership.leave(lou)
    await services.group_sessions.scheduling.cancel(WORKER, view.id, reason="Snow")
    told = {r.subject_member_id for r in await owed(sessions, "sessions.cancelled")}
    assert told == {await member_id(services, ana), await member_id(services, ben)}


async def test_a_reminder_is_rechecked_when_it_goes_out(
    services: Services, clock: ManualClock, sessions
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 7101, "Ana")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(ana, view.id, "going")
    clock.set(view.starts_at - timedelta(hours=1))
    await services.group_sessions.take_due(clock.now())
    [row] = await owed(sessions, "sessions.reminder")
    reader = services.group_sessions.owed
    now_ok = await reader.dm(row.kind, GUILD, row.payload, row.subject_member_id)
    assert now_ok.skip is None and now_ok.reminder is not None
    assert now_ok.reminder.online_link and now_ok.reminder.local_text
    clock.set(view.starts_at + timedelta(minutes=1))
    late = await reader.dm(row.kind, GUILD, row.payload, row.subject_member_id)
    assert late.user_id is None and late.skip == "too late: session started"
    async with sessions() as s:
        [kept] = list(await s.scalars(select(SessionReminder).where(SessionReminder.kind == "1h")))
    assert (kept.sent_at, kept.skip_reason) == (None, "too late: session started")
    erased = await reader.dm(row.kind, GUILD, row.payload, None)
    assert erased.skip == "the person erased their data before it went out"


async def test_discord_traces_are_this_servers_channel_posts_about_the_person(
    services: Services, sessions
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 7201, "Ana")
    mine = await member_id(services, ana)

    def row(guild: int, kind: str, message: int, subject: int | None) -> OutboxItem:
        return OutboxItem(
            guild_id=guild,
            kind=kind,
            payload={},
            subject_member_id=subject,
            status="done",
            due_at=START,
            attempts=1,
            created_at=START,
            channel_id=600 + message,
            message_id=message,
        )

    async with sessions.begin() as s:
        s.add_all(
            [
                row(GUILD, "sessions.quorum", 1, mine),  # a post in a channel about Ana
                row(GUILD, "sessions.reminder", 2, mine),  # her own DM: stays hers
                row(GUILD, "sessions.quorum", 3, None),  # about nobody
                row(GUILD, "polls.results", 4, mine),  # another feature's post
                row(OTHER_SERVER, "sessions.quorum", 5, mine),  # another server
            ]
        )
    provider = SessionsPersonalData(services.group_sessions)
    async with sessions() as s:
        traces = await provider.discord_traces(s, GUILD, ana.user_id, mine)
        nothing = await provider.discord_traces(s, GUILD, ana.user_id, 0)
    assert traces.messages == [(601, 1)] and nothing.messages == []
