"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.clock import ManualClock
from bot.db.base import Base
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_sync
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.settings import Settings, load_settings

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
SPEC = Path(
    os.environ.get(
        "DISCORD_OPENAPI_SPEC",
        str(Path(__file__).resolve().parents[2] / "shared" / "discord-api-spec" / "openapi.json"),
    )
)
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database and whether OpenAPI validation is on, in one line each."""
    lines = [f"database: {'PostgreSQL ' + PG_URL.split('@')[-1] if PG_URL else 'SQLite'}"]
    if SPEC.exists():
        lines.append(f"Discord OpenAPI validation: on ({SPEC})")
    elif os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs the Discord OpenAPI spec, missing at {SPEC}")
    else:
        lines.append(f"Discord OpenAPI validation: SKIPPED (no spec at {SPEC})")
    return lines


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per run: a SQLite template file, or the PostgreSQL test database."""
    if PG_URL:
        import asyncio

        async def reset() -> None:
            engine = create_async_engine(PG_URL)
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await engine.dispose()

        asyncio.run(reset())
        upgrade_sync(PG_URL)
        yield PG_URL
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_sync(f"sqlite+aiosqlite:///{path}")
    yield str(path)


@pytest.fixture
async def db_url(_template_db: str, tmp_path: Path) -> AsyncIterator[str]:
    """Give each test an empty, fully migrated database."""
    if PG_URL:
        engine = create_async_engine(PG_URL)
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as conn:
            # A handler of the last test's bot may still hold a connection (and its locks):
            # end those, and never wait on a lock silently.
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            await conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await engine.dispose()
        yield PG_URL
        return
    path = tmp_path / "test.db"
    shutil.copy(_template_db, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Return a session factory on the test database."""
    engine = create_engine(db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def settings() -> Settings:
    """Return the default settings from config/."""
    return load_settings(database_url="sqlite+aiosqlite:///unused.db")


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock the test moves by hand."""
    return ManualClock(START)


@pytest.fixture
def services(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> Services:
    """Return every service wired to the test database and clock."""
    return build_services(settings, sessions, clock)


GUILD = 900000000000000001
ADMIN = Actor(user_id=800000000000000001, guild_id=GUILD, is_admin=True)
WORKER_ROLE = 700000000000000003
MODERATOR_ROLE = 700000000000000004
WORKER = Actor(user_id=800000000000000002, guild_id=GUILD, role_ids=frozenset({WORKER_ROLE}))
MODERATOR = Actor(user_id=800000000000000003, guild_id=GUILD, role_ids=frozenset({MODERATOR_ROLE}))
