"""Group commit: presses that arrive together run together, each answered with its own outcome."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.batching import Batch, GroupCommit, Outcomes
from bot.services.errors import Conflict


async def test_a_burst_shares_one_run_in_order_and_each_gets_its_own_answer() -> None:
    runs: list[tuple[str, list[int]]] = []

    async def run(batch: Batch[str, int]) -> Outcomes[int]:
        runs.append((batch.key, list(batch.requests)))
        done: Outcomes[int] = Outcomes()
        for index, n in enumerate(batch.requests):
            if n < 0:
                done.errors[index] = Conflict(f"no {n}")
            else:
                done.results[index] = n * 10
        return done

    commit: GroupCommit[str, int, int] = GroupCommit(run)
    results = await asyncio.gather(
        *(commit.submit("a", n) for n in (1, 2, -3, 4)),
        commit.submit("b", 5),
        return_exceptions=True,
    )
    assert results[:2] == [10, 20] and results[3:] == [40, 50]
    assert isinstance(results[2], Conflict) and results[2].message == "no -3"
    assert sorted(runs) == [("a", [1, 2, -3, 4]), ("b", [5])]
    # Later presses start a new batch once the last one is done.
    assert await commit.submit("a", 6) == 60
    assert runs[-1] == ("a", [6])


async def test_an_unexpected_failure_reruns_each_alone_so_only_its_cause_fails() -> None:
    sizes: list[int] = []

    async def run(batch: Batch[str, int]) -> Outcomes[int]:
        sizes.append(len(batch.requests))
        if 13 in batch.requests:
            raise RuntimeError("the database went away")
        return Outcomes(results={i: n for i, n in enumerate(batch.requests)})

    commit: GroupCommit[str, int, int] = GroupCommit(run)
    results = await asyncio.gather(
        *(commit.submit("k", n) for n in (1, 13, 2)), return_exceptions=True
    )
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], RuntimeError)
    assert sizes == [3, 1, 1, 1]


async def test_a_batch_cut_short_answers_nobody() -> None:
    started = asyncio.Event()

    async def run(batch: Batch[str, int]) -> Outcomes[int]:
        started.set()
        await asyncio.sleep(10)
        return Outcomes()

    commit: GroupCommit[str, int, int] = GroupCommit(run)
    press = asyncio.ensure_future(commit.submit("k", 1))
    await started.wait()
    for task in list(commit._tasks):
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await press
