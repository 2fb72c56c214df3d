"""Two processes on one database: each due row is claimed once, and deliveries stay with shards.

Each "process" here has its own engine (its own connections, as a separate process would) and
its own scheduler over every real due source. On PostgreSQL (READ COMMITTED) this is what
several `participation-bot run --shards …` processes do; on SQLite it checks the same claims
under its single writer.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import OutboxItem
from bot.scheduler import Scheduler
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.services.outbox import Delivery, OutboxService, owe
from bot.services.polls import PollClosed, PollReminder
from bot.settings import Settings
from tests.conftest import GUILD
from tests.services.helpers import set_up_guild
from tests.services.test_polls_helpers import bulk_members, new_poll
from tests.services.test_sessions_helpers import scheduled


class Process:
    """One process's scheduler over every real source, recording what it handled."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.scheduler = Scheduler(services.clock)
        self.handled: list[Any] = []
        for source in services.due_sources():
            self.scheduler.add_source(source)
            for kind in source.emits:
                self.scheduler.on(kind, self._record)
        self.scheduler.on(Delivery, self._deliver)
        self.scheduler.check_handlers()

    async def _record(self, event: Any) -> None:
        self.handled.append(event)
        await asyncio.sleep(0)  # let the other process run between events

    async def _deliver(self, delivery: Delivery) -> None:
        self.handled.append(delivery)
        await asyncio.sleep(0)
        await self.services.outbox.delivered(delivery.id)


@pytest.fixture
async def two(
    db_url: str, settings: Settings, clock: ManualClock
) -> AsyncIterator[tuple[Services, Services]]:
    engines = [create_engine(db_url), create_engine(db_url)]
    yield (
        build_services(settings, create_sessionmaker(engines[0]), clock),
        build_services(settings, create_sessionmaker(engines[1]), clock),
    )
    for engine in engines:
        await engine.dispose()


async def _together(a: Process, b: Process, rounds: int = 3) -> None:
    for _ in range(rounds):
        await asyncio.gather(a.scheduler.run_pending(), b.scheduler.run_pending())


async def test_two_schedulers_claim_each_due_row_once(
    two: tuple[Services, Services], clock: ManualClock
) -> None:
    services = two[0]
    await set_up_guild(services)
    people = await bulk_members(services, 12)
    polls = [
        await new_poll(
            services,
            closes_at=clock.now() + timedelta(hours=10 + i),
            reminder_at=clock.now() + timedelta(hours=2),
        )
        for i in range(6)
    ]
    session = await scheduled(services, start="2026-11-25 17:00")
    for person in people:
        await services.group_sessions.replies.rsvp(person, session.id, "going")
    for n in range(4):
        await services.support.requests.open_request(
            Actor(5000 + n, GUILD), topic="struggling", urgency="week"
        )
    a, b = Process(two[0]), Process(two[1])

    # The polls' reminders and the re-raises; the closes and the day-before reminders; the
    # hour-before reminders; the session's wrap-up.
    for moment in ("2026-11-23 15:00", "2026-11-24 17:30", "2026-11-25 16:30", "2026-11-25 20:00"):
        clock.set(datetime.fromisoformat(moment).replace(tzinfo=UTC))
        await _together(a, b)

    events = a.handled + b.handled
    reminded = Counter(e.poll.id for e in events if isinstance(e, PollReminder))
    closed = Counter(e.results.poll.id for e in events if isinstance(e, PollClosed))
    assert reminded == closed == Counter(p.id for p in polls)
    delivered = Counter(e.id for e in events if isinstance(e, Delivery))
    assert delivered and set(delivered.values()) == {1}, "a row was delivered twice"
    async with services.db.begin() as s:
        rows = list(await s.scalars(select(OutboxItem)))
    assert {r.id for r in rows} == set(delivered)
    assert {r.status for r in rows} == {"done"}
    kinds = Counter(r.kind for r in rows)
    # Each decision owed once: a DM per person per reminder; each request raised once at
    # each of the four moments (missed intervals are raised once, not once each).
    assert kinds["sessions.reminder"] == 2 * len(people)
    assert kinds["support.reraise"] == 4 * 4
    assert kinds["polls.reminder"] == 6 * len(people)


async def _outbox_rows(services: Services, guilds: list[int]) -> None:
    now = services.clock.now()
    async with services.db.begin() as s:
        for guild_id in guilds:
            for i in range(3):
                await owe(s, guild_id=guild_id, kind="test.ping", payload={"i": i}, now=now)


def _on_shard(shard: int, count: int, n: int) -> int:
    return ((1_000_000 + n * count + shard) << 22) | 7


async def test_deliveries_are_claimed_only_by_the_process_owning_the_server(
    two: tuple[Services, Services], settings: Settings, clock: ManualClock
) -> None:
    guilds = {shard: [_on_shard(shard, 4, n) for n in range(2)] for shard in range(4)}
    await _outbox_rows(two[0], [g for ids in guilds.values() for g in ids])
    low = settings.model_copy(update={"shards": "0-1", "shard_count": 4})
    high = settings.model_copy(update={"shards": "2-3", "shard_count": 4})
    mine = OutboxService(low, two[0].db, clock), OutboxService(high, two[1].db, clock)
    assert await mine[0].next_due() == clock.now()
    taken = await asyncio.gather(*(service.take_due(clock.now()) for service in mine))
    assert {d.guild_id for d in taken[0]} == set(guilds[0] + guilds[1])
    assert {d.guild_id for d in taken[1]} == set(guilds[2] + guilds[3])
    assert len(taken[0]) == len(taken[1]) == 12
    # Leased and undelivered: after the lease, only the owner claims each again.
    assert await mine[1].take_due(clock.now()) == []
    clock.advance(timedelta(minutes=3))
    again = await mine[1].take_due(clock.now())
    assert sorted(d.id for d in again) == sorted(d.id for d in taken[1])
    # Nothing of the other shards is due for this process, so it does not wake for it.
    for delivery in again:
        await mine[1].delivered(delivery.id)
    assert await mine[1].next_due() is None
    assert await mine[0].next_due() is not None


async def test_one_process_owning_every_shard_delivers_everything(
    two: tuple[Services, Services], settings: Settings, clock: ManualClock
) -> None:
    guilds = [_on_shard(shard, 4, 0) for shard in range(4)]
    await _outbox_rows(two[0], guilds)
    every = settings.model_copy(update={"shards": "0-3", "shard_count": 4})
    taken = await OutboxService(every, two[0].db, clock).take_due(clock.now())
    assert {d.guild_id for d in taken} == set(guilds)
