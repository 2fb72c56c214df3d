"""Run the Alembic migrations programmatically (the CLI's `db upgrade` and `run` use this)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointing at the project's migrations and this database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_sync(database_url: str, revision: str = "heads") -> None:
    """Upgrade the database to a revision (blocking; must not run inside an event loop)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade(database_url: str, revision: str = "heads") -> None:
    """Upgrade the database from async code, in a worker thread with its own event loop."""
    await asyncio.to_thread(upgrade_sync, database_url, revision)
