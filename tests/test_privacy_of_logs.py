"""Errors and settings never print what people typed or a database password."""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bot.cli import main
from bot.db.engine import create_engine
from bot.db.models import Member
from bot.settings import ConfigError, load_settings
from tests.conftest import START

SECRET_NOTE = "I hear voices at night and my dad doesn't know"


async def test_a_database_error_never_holds_the_values(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(db_url)
    row = {
        "id": 7,
        "guild_id": 1,
        "age_band": "16-17",
        "member_type": "young_person",
        "locality": "North",
        "dm_opt_in": False,
        "adjustments": [],
        "consent_at": START,
        "joined_at": START,
        "user_id": 2,
        "preferred_name": "Sam",
        "status": "pending",
        "adjustments_note": SECRET_NOTE,
    }
    caught: IntegrityError | None = None
    try:
        async with engine.begin() as conn:
            # The same row twice breaks the primary key, with their words aboard.
            await conn.execute(insert(Member), [row, row])
    except IntegrityError as error:
        caught = error
        logging.getLogger("participation_bot.errors").error("failed", exc_info=error)
    finally:
        await engine.dispose()
    assert caught is not None
    printed = "".join(traceback.format_exception(caught)) + caplog.text
    assert "Sam" not in printed and SECRET_NOTE not in printed
    assert "hidden due to hide_parameters" in str(caught)


def test_a_database_url_without_an_async_driver_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter2@db.example/participation")
    with pytest.raises(ConfigError, match="database_url: .*postgresql\\+asyncpg") as refused:
        load_settings()
    assert "hunter2" not in str(refused.value)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "async driver" in err and "hunter2" not in err
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///data/x.db")
    load_settings()
