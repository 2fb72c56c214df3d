"""On SQLite, a process's write transactions take turns (bot/db/engine.py), reads do not wait."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import engine as engine_module
from bot.db.engine import create_engine, create_sessionmaker, reading


async def _counter(tmp_path: Path) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        await conn.execute(text("INSERT INTO counter VALUES (0)"))
        await conn.execute(text("CREATE TABLE seen (who INTEGER NOT NULL)"))
    return engine, create_sessionmaker(engine)


async def _holding_a_write(
    db: async_sessionmaker[AsyncSession], value: int
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """Start a writer that sets the counter and keeps its transaction open until released."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with db.begin() as s:
            await s.execute(text("UPDATE counter SET n = :n"), {"n": value})
            holding.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await holding.wait()
    return task, release


@pytest.mark.asyncio
async def test_writers_taking_turns_lose_no_update(tmp_path: Path) -> None:
    engine, db = await _counter(tmp_path)

    async def add_one(who: int) -> None:
        async with db.begin() as s:
            n = await s.scalar(text("SELECT n FROM counter"))
            await asyncio.sleep(0.001)  # another writer would overwrite this without turns
            await s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            await s.execute(text("INSERT INTO seen VALUES (:who)"), {"who": who})
            assert await s.scalar(text("SELECT count(*) FROM seen")) == n + 1

    await asyncio.gather(*(add_one(i) for i in range(40)))
    async with reading(db) as s:
        assert await s.scalar(text("SELECT n FROM counter")) == 40
        seen = sorted(await s.scalars(text("SELECT who FROM seen")))
    assert seen == list(range(40))
    await engine.dispose()


@pytest.mark.asyncio
async def test_reads_go_on_while_a_writer_holds_its_turn(tmp_path: Path) -> None:
    engine, db = await _counter(tmp_path)
    task, release = await _holding_a_write(db, 5)
    async with asyncio.timeout(2), reading(db) as s:
        assert await s.scalar(text("SELECT n FROM counter")) == 0  # the last committed value
    release.set()
    await task
    await engine.dispose()


@pytest.mark.asyncio
async def test_a_writer_kept_waiting_past_the_busy_timeout_fails_as_sqlite_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, db = await _counter(tmp_path)
    monkeypatch.setattr(engine_module, "BUSY_SECONDS", 0.2)
    task, release = await _holding_a_write(db, 1)
    with pytest.raises(OperationalError, match="database is locked"):
        async with db.begin() as s:
            await s.execute(text("UPDATE counter SET n = 2"))
    release.set()
    await task
    # Only the turn can have given up after 0.2 s (SQLite's own busy timeout is 30 s); it was
    # handed on once the holder committed, so the next writer gets it at once.
    async with asyncio.timeout(2), db.begin() as s:
        await s.execute(text("UPDATE counter SET n = 3"))
    await engine.dispose()


@pytest.mark.asyncio
async def test_the_turn_is_handed_on_when_its_holder_is_cancelled_or_dropped(
    tmp_path: Path,
) -> None:
    engine, db = await _counter(tmp_path)
    task, _never = await _holding_a_write(db, 1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    async with asyncio.timeout(5), db.begin() as s:
        await s.execute(text("UPDATE counter SET n = 2"))

    async with reading(db) as s:
        assert await s.scalar(text("SELECT n FROM counter")) == 2
    await engine.dispose()


@pytest.mark.asyncio
async def test_the_turn_is_handed_on_when_its_session_is_dropped_unclosed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, db = await _counter(tmp_path)
    monkeypatch.setattr(engine_module, "BUSY_SECONDS", 1)
    gate = asyncio.Event()

    async def idle_reader() -> None:
        async with reading(db) as s:
            await s.scalar(text("SELECT 1"))
            await gate.wait()

    # Four connections sit idle in the pool, so the next writer does not get the dropped one.
    readers = [asyncio.create_task(idle_reader()) for _ in range(4)]
    await asyncio.sleep(0.1)

    async def dropped() -> None:
        s = db()
        await s.execute(text("UPDATE counter SET n = 3"))  # begun, then never closed

    await asyncio.create_task(dropped())
    gate.set()
    await asyncio.gather(*readers)
    gc.collect()  # the dropped session's connection is cleaned up (detached), turn and all
    async with asyncio.timeout(5), db.begin() as s:
        await s.execute(text("UPDATE counter SET n = 4"))
    async with reading(db) as s:
        assert await s.scalar(text("SELECT n FROM counter")) == 4
    await engine.dispose()


@pytest.mark.asyncio
async def test_an_in_memory_database_still_opens() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    async with create_sessionmaker(engine).begin() as s:
        assert await s.scalar(text("SELECT 1")) == 1
    await engine.dispose()
