"""Group commit (bot/db/group_commit.py) and read-only transactions (bot/db/engine.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

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
