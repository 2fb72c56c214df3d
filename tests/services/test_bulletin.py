"""The monthly bulletin as a service: when it is due, once a month, and to whom."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import OutboxItem
from bot.services.container import Services
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild

DUE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SUMMER_DUE = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)  # 10:00am BST


async def test_due_once_a_month_to_opted_in_members(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    await approved_member(services, 900000000000000001, "Ana")
    await approved_member(services, 900000000000000002, "Ben", dm_opt_in=False)
    bulletin = services.bulletin
    # Set up after November's due time: November's is not sent; December's is next.
    assert await bulletin.next_due() == DUE
    assert await bulletin.take_due(clock.now()) == []
    await bulletin.set_note(WORKER, "Hello all")
    clock.set(DUE)
    sent = await bulletin.take_due(clock.now())
    assert [(e.month, e.recipients) for e in sent] == [("2026-12", 1)]
    assert await bulletin.take_due(clock.now() + timedelta(hours=1)) == []
    assert await bulletin.next_due() == datetime(2027, 1, 1, 10, 0, tzinfo=UTC)
    contents = await bulletin.contents_of(sent[0].guild_id, sent[0].issue_id)
    assert contents.note == "Hello all"
    async with services.db() as s:
        owed = sorted(await s.scalars(select(OutboxItem.kind).where(OutboxItem.kind.like("b%"))))
    assert owed == ["bulletin.dm", "bulletin.post"]
    # The note after it went belongs to January's bulletin.
    preview = await bulletin.set_note(WORKER, "Happy new year")
    assert preview.contents.month == "2027-01" and preview.contents.note == "Happy new year"


async def test_due_time_is_uk_time_and_too_late_is_missed(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    clock.set(datetime(2027, 6, 20, 12, 0, tzinfo=UTC))
    assert await services.bulletin.next_due() == SUMMER_DUE
    clock.set(SUMMER_DUE + timedelta(hours=25))
    assert await services.bulletin.take_due(clock.now()) == []
    assert await services.bulletin.next_due() == datetime(2027, 8, 1, 9, 0, tzinfo=UTC)


async def test_two_processes_at_once_send_once(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    await approved_member(services, 900000000000000001, "Ana")
    clock.set(DUE + timedelta(minutes=5))
    results = await asyncio.gather(*(services.bulletin.take_due(clock.now()) for _ in range(3)))
    assert sum(len(r) for r in results) == 1
    async with services.db() as s:
        owed = list(await s.scalars(select(OutboxItem.kind).where(OutboxItem.kind.like("b%"))))
    assert sorted(owed) == ["bulletin.dm", "bulletin.post"]
