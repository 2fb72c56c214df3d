"""Group commit (bot/db/group_commit.py), with and without lanes, and read-only transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db.engine import create_engine, create_sessionmaker, reading
from bot.db.group_commit import GroupCommit
from bot.services.errors import Conflict


class Recorder:
    """A writer that records its rounds; 'refuse' is refused, 'boom' breaks the whole round."""

    def __init__(self) -> None:
        self.rounds: list[list[tuple[str, int]]] = []
        self.alone: list[tuple[str, int]] = []

    async def together(self, items: Sequence[tuple[str, int]]) -> list[str | Exception]:
        self.rounds.append(list(items))
        await asyncio.sleep(0.01)  # a transaction takes a while: the next burst queues
        if any(name == "boom" for name, _ in items):
            raise RuntimeError("the round failed")
        return [Conflict("no") if name == "refuse" else f"{name}{n}" for name, n in items]

    async def by_itself(self, item: tuple[str, int]) -> str:
        self.alone.append(item)
        if item[0] == "boom":
            raise RuntimeError("this one is broken")
        return f"{item[0]}{item[1]}:alone"


def group(recorder: Recorder) -> GroupCommit[tuple[str, int], str]:
    return GroupCommit(recorder.together, recorder.by_itself, lambda item: item[0])


async def test_a_burst_is_written_in_few_rounds_and_each_gets_its_own_answer() -> None:
    recorder = Recorder()
    writes = group(recorder)
    items = [(f"p{i}", i) for i in range(100)]
    results = await asyncio.gather(*(writes.submit(item) for item in items))
    assert results == [f"p{i}{i}" for i in range(100)]
    assert len(recorder.rounds) <= 2
    assert sorted(i for r in recorder.rounds for i in r) == sorted(items)


async def test_one_person_twice_goes_in_two_rounds_in_the_order_they_clicked() -> None:
    recorder = Recorder()
    writes = group(recorder)
    results = await asyncio.gather(
        writes.submit(("ann", 1)), writes.submit(("bob", 1)), writes.submit(("ann", 2))
    )
    assert results == ["ann1", "bob1", "ann2"]
    rounds_of_ann = [i for i, r in enumerate(recorder.rounds) for item in r if item[0] == "ann"]
    assert len(rounds_of_ann) == 2 and rounds_of_ann[0] < rounds_of_ann[1]


async def test_a_refusal_belongs_to_its_item_alone() -> None:
    recorder = Recorder()
    writes = group(recorder)
    outcome = await asyncio.gather(
        writes.submit(("refuse", 0)), writes.submit(("ok", 1)), return_exceptions=True
    )
    assert isinstance(outcome[0], Conflict) and outcome[1] == "ok1"
    assert recorder.alone == []


async def test_a_failed_round_is_written_again_one_by_one() -> None:
    recorder = Recorder()
    writes = group(recorder)
    outcome = await asyncio.gather(
        writes.submit(("ok", 1)), writes.submit(("boom", 2)), return_exceptions=True
    )
    # Nobody is answered from the rolled-back round: the good item is written alone, and the
    # broken one fails alone.
    assert outcome[0] == "ok1:alone"
    assert isinstance(outcome[1], RuntimeError)
    assert recorder.alone == [("ok", 1), ("boom", 2)]


Press = tuple[str, int]  # (lane, n): a negative n is refused


def in_lanes(
    together: Callable[[Sequence[Press]], Awaitable[Sequence[int | Exception]]],
) -> GroupCommit[Press, int]:
    """Lanes by the first part, each press its own key; no separate writer for one alone."""
    return GroupCommit(together, None, id, lane=lambda press: press[0])


async def test_lanes_write_apart_in_arrival_order_each_with_its_own_answer() -> None:
    runs: list[list[Press]] = []

    async def together(presses: Sequence[Press]) -> list[int | Exception]:
        runs.append(list(presses))
        return [Conflict(f"no {n}") if n < 0 else n * 10 for _, n in presses]

    writes = in_lanes(together)
    results = await asyncio.gather(
        *(writes.submit(("a", n)) for n in (1, 2, -3, 4)),
        writes.submit(("b", 5)),
        return_exceptions=True,
    )
    assert results[:2] == [10, 20] and results[3:] == [40, 50]
    assert isinstance(results[2], Conflict) and results[2].message == "no -3"
    # A round holds one lane's presses only, in the order they arrived.
    assert sorted(runs) == [[("a", 1), ("a", 2), ("a", -3), ("a", 4)], [("b", 5)]]
    # Later presses start a new round once the last one is done.
    assert await writes.submit(("a", 6)) == 60
    assert runs[-1] == [("a", 6)]


async def test_one_lane_writes_one_round_at_a_time_while_other_lanes_go_on() -> None:
    running: set[str] = set()
    overlapped: list[set[str]] = []

    async def together(presses: Sequence[Press]) -> list[int | Exception]:
        lane = presses[0][0]
        assert lane not in running, "two rounds of one lane at once"
        running.add(lane)
        overlapped.append(set(running))
        await asyncio.sleep(0.01)
        running.discard(lane)
        return [n for _, n in presses]

    writes = in_lanes(together)
    first = [asyncio.ensure_future(writes.submit((lane, 1))) for lane in "ab"]
    await asyncio.sleep(0.005)  # both lanes are writing: these wait for the next round
    later = [asyncio.ensure_future(writes.submit((lane, 2))) for lane in "ab"]
    assert await asyncio.gather(*first, *later) == [1, 1, 2, 2]
    assert {"a", "b"} in overlapped


async def test_without_a_writer_for_one_a_failed_round_is_rerun_one_by_one() -> None:
    sizes: list[int] = []

    async def together(presses: Sequence[Press]) -> list[int | Exception]:
        sizes.append(len(presses))
        if any(n == 13 for _, n in presses):
            raise RuntimeError("the database went away")
        return [n for _, n in presses]

    writes = in_lanes(together)
    results = await asyncio.gather(
        *(writes.submit(("k", n)) for n in (1, 13, 2)), return_exceptions=True
    )
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], RuntimeError)
    # The failing one, alone, fails once: it is not run a second time.
    assert sizes == [3, 1, 1, 1]


async def test_a_round_cut_short_answers_nobody() -> None:
    started = asyncio.Event()

    async def together(presses: Sequence[Press]) -> list[int | Exception]:
        started.set()
        await asyncio.sleep(10)
        return [n for _, n in presses]

    writes = in_lanes(together)
    press = asyncio.ensure_future(writes.submit(("k", 1)))
    waiting = asyncio.ensure_future(writes.submit(("k", 2)))
    await started.wait()
    for task in writes.writers():
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await press
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_a_reading_transaction_does_not_wait_for_a_writer_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    db = create_sessionmaker(engine)
    try:
        async with db.begin() as s:
            await s.execute(text("CREATE TABLE t (x INTEGER)"))
        async with db.begin() as writer:
            await writer.execute(text("INSERT INTO t VALUES (1)"))
            async with asyncio.timeout(5), reading(db) as reader:
                # The snapshot before the writer's commit: nothing half-written is seen.
                assert (await reader.execute(text("SELECT count(*) FROM t"))).scalar() == 0
        async with reading(db) as reader:
            assert (await reader.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    finally:
        await engine.dispose()
