"""Answers come first: while an interaction waits for its first answer, deliveries go one by one."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from bot import delivery as delivery_module
from bot.delivery import Deliveries
from bot.services.outbox import Delivery


class _Outbox:
    def __init__(self) -> None:
        self.done: list[int] = []

    async def delivered(self, item_id: int, **_: Any) -> None:
        self.done.append(item_id)


class _Response:
    def __init__(self) -> None:
        self.answered = False

    def is_done(self) -> bool:
        return self.answered


def _interaction() -> Any:
    return SimpleNamespace(response=_Response())


async def _deliver_five(deliveries: Deliveries) -> int:
    """Deliver five rows at once; return how many were being sent at the same time, at most."""
    now = most = 0

    async def send(_: Delivery) -> None:
        nonlocal now, most
        now += 1
        most = max(most, now)
        await asyncio.sleep(0.02)
        now -= 1

    deliveries.on("test.kind", send)
    rows = [Delivery(i, 1, "test.kind", {}, 1, None) for i in range(5)]
    await asyncio.gather(*(deliveries.deliver(row) for row in rows))
    return most


@pytest.mark.asyncio
async def test_deliveries_go_one_by_one_while_a_click_waits_then_side_by_side() -> None:
    outbox = _Outbox()
    deliveries = Deliveries(outbox)  # type: ignore[arg-type]
    click = _interaction()
    deliveries.awaiting_answer(click)
    assert deliveries.answers_pending()
    assert await _deliver_five(deliveries) == 1
    click.response.answered = True
    assert not deliveries.answers_pending()
    assert await _deliver_five(deliveries) == 5
    assert sorted(outbox.done) == sorted(list(range(5)) * 2)  # nothing lost either way


def test_an_interaction_never_answered_stops_holding_deliveries_after_discords_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deliveries = Deliveries(_Outbox())  # type: ignore[arg-type]
    clock = [1000.0]
    monkeypatch.setattr(delivery_module.time, "monotonic", lambda: clock[0])
    deliveries.awaiting_answer(_interaction())
    assert deliveries.answers_pending()
    clock[0] += delivery_module.ANSWER_DEADLINE
    assert not deliveries.answers_pending()


def test_answered_interactions_are_swept_even_when_nothing_is_delivered() -> None:
    deliveries = Deliveries(_Outbox())  # type: ignore[arg-type]
    for _ in range(delivery_module.SWEEP_AT * 3):
        click = _interaction()
        click.response.answered = True
        deliveries.awaiting_answer(click)
    assert len(deliveries._unanswered) < delivery_module.SWEEP_AT


@pytest.mark.asyncio
async def test_once_the_clicks_are_answered_nobody_waits_behind_a_slow_delivery() -> None:
    deliveries = Deliveries(_Outbox())  # type: ignore[arg-type]
    click = _interaction()
    deliveries.awaiting_answer(click)
    loop = asyncio.get_running_loop()
    started = loop.time()
    finished: dict[int, float] = {}

    async def send(delivery: Delivery) -> None:
        await asyncio.sleep(1.0 if delivery.id == 0 else 0.01)  # the first: a 429 waited out
        finished[delivery.id] = loop.time() - started

    async def answer_soon() -> None:
        await asyncio.sleep(0.1)
        click.response.answered = True

    deliveries.on("test.kind", send)
    rows = [Delivery(i, 1, "test.kind", {}, 1, None) for i in range(4)]
    await asyncio.gather(answer_soon(), *(deliveries.deliver(row) for row in rows))
    assert finished[0] >= 1.0
    assert all(finished[i] < 0.5 for i in (1, 2, 3)), finished
