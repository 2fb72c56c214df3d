"""Unclaimed requests are raised again once per interval, never twice, even after a restart."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

from bot.clock import ManualClock
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.services.support.records import SupportRaised
from tests.conftest import GUILD, MODERATOR, MODERATOR_ROLE
from tests.services.helpers import set_up_guild

MEMBER = Actor(5001, GUILD)
_PEOPLE = itertools.count(1)


async def _open(services: Services, urgency: str = "week") -> int:
    # A different person each time: each may have one request open.
    someone = Actor(MEMBER.user_id + next(_PEOPLE), GUILD)
    opened = await services.support.requests.open_request(
        someone, topic="struggling", urgency=urgency
    )
    return opened.request.id


async def test_raised_after_the_configured_time_once_per_interval(
    services: Services, clock: ManualClock
) -> None:
    record = await set_up_guild(services)
    rid = await _open(services)
    await services.support.requests.set_card(rid, record.channel_ids["support_queue"], 42)
    start = clock.now()
    assert await services.support.next_due() == start + timedelta(minutes=60)
    clock.advance(timedelta(minutes=59))
    assert await services.support.reraise.take_due(clock.now()) == []
    clock.advance(timedelta(minutes=1))
    events = await services.support.reraise.take_due(clock.now())
    assert events == [
        SupportRaised(
            request_id=rid,
            guild_id=GUILD,
            kind="request",
            urgency="week",
            waiting_minutes=60,
            times_raised=1,
            queue_channel_id=record.channel_ids["support_queue"],
            card_message_id=42,
            moderator_role_id=MODERATOR_ROLE,
        )
    ]
    assert await services.support.reraise.take_due(clock.now()) == []
    clock.advance(timedelta(minutes=30))
    assert await services.support.reraise.take_due(clock.now()) == []
    clock.advance(timedelta(minutes=30))
    second = await services.support.reraise.take_due(clock.now())
    assert [e.times_raised for e in second] == [2]
    assert await services.support.next_due() == start + timedelta(minutes=180)


async def test_concurrent_sweeps_raise_once(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    ids = {await _open(services) for _ in range(3)}
    clock.advance(timedelta(minutes=61))
    results = await asyncio.gather(
        *[services.support.reraise.take_due(clock.now()) for _ in range(5)]
    )
    raised = [e.request_id for batch in results for e in batch]
    assert sorted(raised) == sorted(ids)


async def test_after_a_restart_missed_intervals_raise_once(
    services: Services, sessions, settings, clock: ManualClock
) -> None:
    await set_up_guild(services)
    rid = await _open(services)
    clock.advance(timedelta(minutes=65))
    assert [e.request_id for e in await services.support.reraise.take_due(clock.now())] == [rid]
    # The bot is down for four hours, then a fresh process (new service objects) starts.
    clock.advance(timedelta(hours=4))
    restarted = build_services(settings, sessions, clock)
    events = await restarted.support.reraise.take_due(clock.now())
    assert [(e.request_id, e.times_raised) for e in events] == [(rid, 5)]
    assert await restarted.support.reraise.take_due(clock.now()) == []
    assert await services.support.reraise.take_due(clock.now()) == []


async def test_claimed_or_resolved_requests_are_not_raised(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    claimed = await _open(services)
    resolved = await _open(services)
    waiting = await _open(services, "whenever")
    await services.support.staff.claim(MODERATOR, claimed)
    await services.support.staff.resolve(MODERATOR, resolved, "no_action")
    clock.advance(timedelta(hours=3))
    assert [e.request_id for e in await services.support.reraise.take_due(clock.now())] == [waiting]
    await services.support.staff.claim(MODERATOR, waiting)
    assert await services.support.next_due() is None


async def test_scheduler_finds_the_support_source(services: Services) -> None:
    assert services.support in services.due_sources()
