"""The outbox: owed once per decision, leased to one taker, retried, or refused with a reason."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import Member, OutboxItem
from bot.delivery import Deliveries, Sent
from bot.scheduler import Scheduler
from bot.services.container import Services
from bot.services.outbox import LEASE, MAX_ATTEMPTS, Delivery, OutboxService, owe

GUILD = 1001


@pytest.fixture
def outbox(services: Services) -> OutboxService:
    """Return the outbox on the test database and clock."""
    return OutboxService(services.settings, services.db, services.clock)


async def _owe(services: Services, key: str | None = None, **payload: object) -> None:
    async with services.db.begin() as s:
        await owe(
            s,
            guild_id=GUILD,
            kind="test.note",
            payload=dict(payload),
            now=services.clock.now(),
            dedup_key=key,
        )


async def test_a_decision_recorded_twice_is_owed_once(services: Services) -> None:
    await _owe(services, "poll-results:1", text="Results")
    await _owe(services, "poll-results:1", text="Results")
    await _owe(services, None, text="no key")
    async with services.db() as s:
        rows = list(await s.scalars(select(OutboxItem)))
    assert sorted(r.payload["text"] for r in rows) == ["Results", "no key"]


async def test_only_one_taker_gets_each_row(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    for n in range(30):
        await _owe(services, f"k{n}", n=n)
    other = OutboxService(services.settings, services.db, clock)
    first, second = await asyncio.gather(outbox.take_due(clock.now()), other.take_due(clock.now()))
    taken = [d.payload["n"] for d in first + second]
    assert sorted(taken) == list(range(30))  # all claimed, none twice
    assert await outbox.take_due(clock.now()) == []  # leased: nobody takes them again


async def test_a_lease_that_runs_out_is_taken_again(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    await _owe(services, "k", text="hello")
    [first] = await outbox.take_due(clock.now())
    assert first.attempt == 1 and first.nonce == f"outbox-{first.id}"
    clock.advance(LEASE - timedelta(seconds=1))
    assert await outbox.take_due(clock.now()) == []
    clock.advance(timedelta(seconds=2))  # the process that held it died
    [again] = await outbox.take_due(clock.now())
    assert again.id == first.id and again.attempt == 2 and again.nonce == first.nonce


async def test_done_rows_are_never_taken_again(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    await _owe(services, "k", text="hello")
    [item] = await outbox.take_due(clock.now())
    await outbox.delivered(item.id, channel_id=5, message_id=6)
    clock.advance(LEASE * 3)
    assert await outbox.take_due(clock.now()) == []
    assert await outbox.counts() == {"done": 1}
    assert await outbox.next_due() is None


async def test_transient_failures_back_off_then_give_up(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    await _owe(services, "k", text="hello")
    waits = []
    for _ in range(4):
        [item] = await outbox.take_due(clock.now())
        assert await outbox.retry_later(item.id, "Discord 503")
        due = await outbox.next_due()
        assert due is not None
        waits.append((due - clock.now()).total_seconds())
        assert await outbox.take_due(clock.now()) == []  # not before its time
        clock.set(due)
    assert waits == [5.0, 10.0, 20.0, 40.0]
    for _ in range(MAX_ATTEMPTS):
        taken = await outbox.take_due(clock.now())
        if not taken:
            break
        if not await outbox.retry_later(taken[0].id, "Discord 503"):
            break
        due = await outbox.next_due()
        assert due is not None
        clock.set(due)
    [failed] = await outbox.failures(GUILD)
    assert failed.reason.startswith(f"gave up after {MAX_ATTEMPTS} attempts")


async def test_a_refusal_is_recorded_with_its_reason(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    await _owe(services, "k", text="hello")
    [item] = await outbox.take_due(clock.now())
    await outbox.undeliverable(item.id, "the person's DMs are closed to the bot")
    [failed] = await outbox.failures(GUILD)
    assert failed.kind == "test.note" and "DMs are closed" in failed.reason
    assert await outbox.failures(GUILD + 1) == []


def _member(n: int, now: datetime) -> Member:
    return Member(
        guild_id=GUILD,
        user_id=5000 + n,
        preferred_name=f"Member {n}",
        age_band="16-17",
        member_type="young_person",
        locality="North",
        consent_at=now,
        joined_at=now,
        status="approved",
    )


async def test_rows_given_back_at_shutdown_are_taken_at_once_with_no_attempt_spent(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    for n in range(3):
        await _owe(services, f"k{n}", n=n)
    first, *rest = await outbox.take_due(clock.now())
    await outbox.delivered(first.id)
    await outbox.release([first, *rest])  # the delivered one is not reopened
    again = await outbox.take_due(clock.now())
    assert [d.id for d in again] == [d.id for d in rest]
    assert [d.attempt for d in again] == [1, 1]
    assert (await outbox.counts())["done"] == 1


async def test_many_due_together_go_out_side_by_side_once_each_in_order(
    services: Services, clock: ManualClock, outbox: OutboxService
) -> None:
    async with services.db.begin() as s:
        people = [_member(n, clock.now()) for n in range(5)]
        s.add_all(people)
        await s.flush()
        subjects = (None, *(p.id for p in people))
        for n in range(4):  # owed in this order: each person's, and the server's posts
            for member in subjects:
                await owe(
                    s,
                    guild_id=GUILD,
                    kind="test.note",
                    payload={"n": n},
                    now=clock.now(),
                    subject_member_id=member,
                )
                clock.advance(timedelta(milliseconds=1))
    sent: dict[int | None, list[int]] = {}
    in_flight = most = 0

    async def send(delivery: Delivery) -> Sent:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.003 * (4 - delivery.payload["n"]))  # the earlier, the slower
        sent.setdefault(delivery.subject_member_id, []).append(delivery.payload["n"])
        in_flight -= 1
        return Sent()

    deliveries = Deliveries(outbox)
    deliveries.on("test.note", send)
    scheduler = Scheduler(clock, concurrency=8)
    scheduler.add_source(outbox)
    scheduler.on(Delivery, deliveries.deliver)
    assert await scheduler.run_pending() == 24
    assert most == 6  # every lane at once, and one at a time in each
    assert sent == {member: [0, 1, 2, 3] for member in subjects}
    assert await outbox.counts() == {"done": 24}
