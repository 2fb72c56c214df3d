"""Scheduled work is wired in one place: every emitted event has a handler, and wake-ups work."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.scheduler import MissingHandler, Scheduler
from bot.services.container import Services


@dataclass(frozen=True)
class Ping:
    """An event nothing may forget."""

    n: int


class OneRow:
    """A due source with one row whose due time a test sets."""

    name = "one-row"
    emits: tuple[type, ...] = (Ping,)

    def __init__(self) -> None:
        self.due: datetime | None = None
        self.taken: list[Ping] = []

    async def next_due(self) -> datetime | None:
        return self.due

    async def take_due(self, now: datetime) -> list[Ping]:
        if self.due is None or self.due > now:
            return []
        self.due = None
        return [Ping(1)]


async def _handle(event: Ping) -> None:
    return None


def test_start_up_refuses_an_event_without_a_handler(clock: ManualClock) -> None:
    scheduler = Scheduler(clock)
    scheduler.add_source(OneRow())
    with pytest.raises(MissingHandler, match=r"Ping \(from one-row\)"):
        scheduler.check_handlers()
    scheduler.on(Ping, _handle)
    scheduler.check_handlers()


def test_every_real_source_declares_what_it_emits(services: Services, clock: ManualClock) -> None:
    sources = services.due_sources()
    assert len({id(s) for s in sources}) == len(sources)
    scheduler = Scheduler(clock)
    for source in sources:
        # A source whose work only writes outbox rows emits nothing; it must still say so.
        assert isinstance(source.emits, tuple), f"{source.name} does not declare its events"
        scheduler.add_source(source)
    assert any(source.emits for source in sources)
    # With no cogs loaded, every declared event is missing, and the message names each one.
    with pytest.raises(MissingHandler) as refused:
        scheduler.check_handlers()
    for source in sources:
        for event in source.emits:
            assert f"{event.__name__} (from {source.name})" in str(refused.value)


async def test_a_wake_up_schedules_the_new_row(clock: ManualClock) -> None:
    source = OneRow()
    scheduler = Scheduler(clock, sweep_seconds=3600)
    scheduler.add_source(source)
    scheduler.on(Ping, _handle)
    await scheduler.start()
    try:
        assert scheduler._aps is not None and scheduler._aps.get_job("next") is None
        source.due = clock.now() + timedelta(minutes=5)
        scheduler.wake()
        for _ in range(50):
            await asyncio.sleep(0.01)
            if scheduler._aps.get_job("next") is not None:
                break
        assert scheduler._aps.get_job("next") is not None
    finally:
        await scheduler.stop()


def test_a_wake_up_before_start_does_nothing(clock: ManualClock) -> None:
    scheduler = Scheduler(clock)
    scheduler.wake()  # no loop, no jobs: start() reads every row anyway
    assert scheduler._aps is None


async def test_a_burst_of_wake_ups_asks_the_sources_once_or_twice(clock: ManualClock) -> None:
    source = OneRow()
    asked = 0
    original = source.next_due

    async def counting() -> datetime | None:
        nonlocal asked
        asked += 1
        return await original()

    source.next_due = counting  # type: ignore[method-assign]
    scheduler = Scheduler(clock, sweep_seconds=3600)
    scheduler.add_source(source)
    scheduler.on(Ping, _handle)
    await scheduler.start()
    try:
        asked = 0
        for _ in range(200):  # a burst of clicks, each waking the scheduler
            scheduler.wake()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if not scheduler._wakes:
                break
        assert 1 <= asked <= 2
    finally:
        await scheduler.stop()


@dataclass(frozen=True)
class Due:
    """An event that says when it was due."""

    due_at: datetime


class Overdue(OneRow):
    """A source whose one row says when it was due."""

    emits: tuple[type, ...] = (Due, Ping)

    async def take_due(self, now: datetime) -> list[Ping | Due]:  # type: ignore[override]
        if self.due is None or self.due > now:
            return []
        due, self.due = self.due, None
        return [Due(due), Ping(1)]


async def test_each_piece_of_due_work_reports_how_late_it_was_done(clock: ManualClock) -> None:
    source = Overdue()
    scheduler = Scheduler(clock, sweep_seconds=3600)
    scheduler.add_source(source)
    reported: list[tuple[str, float]] = []
    scheduler.on_ran = lambda event, seconds: reported.append((event, seconds))

    async def slow(event: object) -> None:
        clock.advance(timedelta(seconds=2))  # the handler takes two seconds of the bot's time

    scheduler.on(Due, slow)
    scheduler.on(Ping, slow)
    await scheduler.start()
    try:
        source.due = clock.now() + timedelta(minutes=5)
        await scheduler.poke()  # planned for five minutes from now
        clock.advance(timedelta(minutes=5, seconds=30))  # the run comes 30 s late
        assert await scheduler.run_pending() == 2
    finally:
        await scheduler.stop()
    # The event that says when it was due is measured from then; the other from the plan.
    assert reported == [("Due", 32.0), ("Ping", 34.0)]


@dataclass(frozen=True)
class Post:
    """An event with a lane: posts to one destination, which must go out in order."""

    lane: str
    n: int


class Lanes:
    """A source whose claimed events go to a few destinations, and which takes back the rest."""

    name = "lanes"
    emits: tuple[type, ...] = (Post,)

    def __init__(self, events: list[Post]) -> None:
        self.events = events
        self.released: list[Post] = []

    async def next_due(self) -> datetime | None:
        return None

    async def take_due(self, now: datetime) -> list[Post]:
        events, self.events = self.events, []
        return events

    async def release(self, events: list[Post]) -> None:
        self.released.extend(events)


async def test_lanes_run_side_by_side_bounded_and_each_in_order(clock: ManualClock) -> None:
    events = [Post(lane, n) for n in range(5) for lane in "abcdef"]
    scheduler = Scheduler(clock, concurrency=3)
    scheduler.add_source(Lanes(events))
    seen: dict[str, list[int]] = {}
    in_flight = most = 0

    async def send(event: Post) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.005)
        seen.setdefault(event.lane, []).append(event.n)
        in_flight -= 1

    scheduler.on(Post, send)
    assert await scheduler.run_pending() == 30
    assert most == 3  # several at once, never more than allowed
    assert seen == {lane: [0, 1, 2, 3, 4] for lane in "abcdef"}  # each lane in claim order


async def test_stopping_lets_started_work_finish_and_gives_back_the_rest(
    clock: ManualClock,
) -> None:
    events = [Post(lane, n) for n in range(3) for lane in "abcd"]
    source = Lanes(events)
    scheduler = Scheduler(clock, concurrency=2)
    scheduler.add_source(source)
    started: list[Post] = []
    finished: list[Post] = []
    going = asyncio.Event()

    async def send(event: Post) -> None:
        started.append(event)
        going.set()
        await asyncio.sleep(0.05)
        finished.append(event)

    scheduler.on(Post, send)
    run = asyncio.create_task(scheduler.run_pending())
    await going.wait()
    await scheduler.stop()  # returns only once the two in flight have finished
    assert len(started) == 2 and finished == started
    assert await run == 2
    assert sorted(source.released, key=lambda e: (e.lane, e.n)) == sorted(
        set(events) - set(started), key=lambda e: (e.lane, e.n)
    )
