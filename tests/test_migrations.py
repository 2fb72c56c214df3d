"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.base import Base
from bot.db.engine import create_engine


async def test_models_match_migrations(db_url: str) -> None:
    engine = create_engine(db_url)

    def diff(conn: AsyncConnection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)  # type: ignore[arg-type]
    await engine.dispose()
    assert differences == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(str, differences)
    )


def test_settings_errors_are_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    import pytest

    from bot.settings import DEFAULT_CONFIG_DIR, ConfigError, load_settings

    for name in ("default.toml", "levels.toml", "safeguarding.toml"):
        shutil.copy(DEFAULT_CONFIG_DIR / name, tmp_path / name)
    (tmp_path / "local.toml").write_text('timezone = "Nowhere/Land"\n')
    with pytest.raises(ConfigError, match="timezone"):
        load_settings(tmp_path)
    (tmp_path / "local.toml").write_text("[sessions]\npapers_days_before = -3\n")
    with pytest.raises(ConfigError, match="sessions.papers_days_before"):
        load_settings(tmp_path)
    (tmp_path / "local.toml").write_text("this is not toml = = =")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(tmp_path)


def test_cli_bad_setting_exits_2(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from bot.cli import main
    from bot.settings import DEFAULT_CONFIG_DIR

    for name in ("default.toml", "levels.toml", "safeguarding.toml"):
        shutil.copy(DEFAULT_CONFIG_DIR / name, tmp_path / name)
    (tmp_path / "local.toml").write_text('timezone = "Nowhere/Land"\n')
    assert main(["--config-dir", str(tmp_path), "check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "timezone" in err and "Traceback" not in err
