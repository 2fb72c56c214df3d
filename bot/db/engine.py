"""Create the async engine and session factory, with SQLite made safe for concurrent writers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

# The execution option that marks a transaction as read-only (see `reading`).
READ_ONLY = "participation_read_only"
# How long a writer waits for SQLite's lock (or its turn) before "database is locked".
BUSY_SECONDS = 30
# Connections kept open to a SQLite file (and as many again while a burst needs them).
SQLITE_POOL = 20


def create_engine(url: str) -> AsyncEngine:
    """Return an engine for the URL; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # A burst keeps many transactions open at once (most of them waiting for their turn to
    # write, below): the pool keeps their connections instead of opening and closing one (and
    # its thread) per transaction beyond the default five. (An in-memory database has a
    # single connection, and no pool to size.)
    pool: dict[str, Any] = {}
    if database and database != ":memory:":
        pool = {"pool_size": SQLITE_POOL, "max_overflow": SQLITE_POOL}
    # hide_parameters: an error must never print what people typed (names, notes, answers).
    engine = create_async_engine(
        url, connect_args={"timeout": BUSY_SECONDS}, hide_parameters=True, **pool
    )
    turns = _WriteTurns()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves so that writers queue instead of losing updates.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that only reads (see `reading`) need not queue behind the writers:
        # in WAL mode a plain BEGIN reads a snapshot while they write.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            turns.take(conn)
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    # The turn goes back with the connection: checked in after its commit or rollback, or
    # detached (a session dropped without closing it, collected by the garbage collector).
    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        turns.give_back(record)

    @event.listens_for(engine.sync_engine.pool, "detach")
    def _on_detach(_dbapi_connection: Any, record: Any) -> None:
        turns.give_back(record)

    return engine


class _WriteTurns:
    """On SQLite, this process's write transactions take turns, first come first served.

    SQLite lets one connection write at a time; one that finds the lock taken sleeps and
    polls (1, 2, 5, 10 ... up to 100 ms), so under a burst a writer often sleeps well past
    the moment the lock came free. Here a writer waits on an asyncio lock instead, taken as
    its transaction begins (so exactly where BEGIN IMMEDIATE would wait) and handed to the
    next writer the moment its connection goes back to the pool, after its commit or rollback.

    It only orders this process's writers: BEGIN IMMEDIATE still guards the file, so a
    transaction nested inside another of the same task (which skips the turn it already
    holds) and any other process behave exactly as without it. Waiting longer than SQLite's
    own busy timeout fails the same way SQLite would ("database is locked").
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._holder: tuple[asyncio.Task[Any], Any] | None = None

    def take(self, conn: Any) -> None:
        """Wait for this process's turn to write (called as a write transaction begins)."""
        record = conn.connection._connection_record
        if self._holder is not None and self._holder[1] is record:
            return  # a new transaction on the connection that already holds the turn
        task = asyncio.current_task()
        if task is None or (self._holder is not None and self._holder[0] is task):
            return  # nested in this task's own write: leave it to SQLite, as before
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # An engine used from another event loop (one per test, say): a lock belongs to
            # one loop, so that loop's writers take turns on a lock of their own.
            self._loop, self._lock, self._holder = loop, asyncio.Lock(), None
        await_only(self._wait())
        self._holder = (task, record)

    async def _wait(self) -> None:
        try:
            async with asyncio.timeout(BUSY_SECONDS):
                await self._lock.acquire()
        except TimeoutError:
            raise OperationalError(
                "BEGIN IMMEDIATE", None, Exception("database is locked")
            ) from None

    def give_back(self, record: Any) -> None:
        """Hand the turn on once the connection holding it is back in the pool."""
        if self._holder is None or self._holder[1] is not record:
            return
        self._holder = None
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is not None and running is not loop and not loop.is_closed():
            # Returned from another thread (the garbage collector runs anywhere): the lock
            # belongs to its loop's thread.
            loop.call_soon_threadsafe(self._lock.release)
        else:
            self._lock.release()


@asynccontextmanager
async def reading(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Open a transaction that only reads; on SQLite it does not wait for the write lock.

    Writing in it is a bug: on SQLite the write would have to upgrade the lock and could fail
    with "database is locked" instead of queueing.
    """
    async with db.begin() as s:
        options: Any = {READ_ONLY: True}
        await s.connection(execution_options=options)
        yield s


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory services use: `async with sessions.begin() as s:`."""
    return async_sessionmaker(engine, expire_on_commit=False)
