"""Create the async engine and session factory, with SQLite made safe for concurrent writers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# The execution option that marks a transaction as read-only (see `reading`).
READ_ONLY = "participation_read_only"


def create_engine(url: str) -> AsyncEngine:
    """Return an engine for the URL; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error must never print what people typed (names, notes, answers).
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves so that writers queue instead of losing updates.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that only reads (see `reading`) need not queue behind the writers:
        # in WAL mode a plain BEGIN reads a snapshot while they write.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


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
