"""The outbox: owed once per decision, leased to one taker, retried, or refused with a reason."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import OutboxItem
from bot.services.container import Services
from bot.services.outbox import LEASE, MAX_ATTEMPTS, OutboxService, owe

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
