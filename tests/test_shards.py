"""The shard options of `run`, and SQLite refusing several processes, each with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.shards import ShardError, ShardPlan, claim_database, parse_ids, plan_for
from bot.ui.actor import held_here, serves_every_server

PG = "postgresql+asyncpg://bot@db.example/participation"


@pytest.mark.parametrize(
    ("text", "count", "ids"),
    [
        ("0-3", 8, (0, 1, 2, 3)),
        ("0,2,5-7", 8, (0, 2, 5, 6, 7)),
        (" 3 , 1 ", 4, (1, 3)),
        ("7", 8, (7,)),
        ("2-2", 4, (2,)),
    ],
)
def test_lists_and_ranges_name_the_shards(text: str, count: int, ids: tuple[int, ...]) -> None:
    assert parse_ids(text, count) == ids


@pytest.mark.parametrize(
    ("text", "count", "message"),
    [
        ("", 4, "the shard list is empty"),
        ("  ", 4, "the shard list is empty"),
        ("0-4", 4, "shard 4 does not exist: with a shard count of 4 shards are numbered 0 to 3"),
        ("8", 8, "shard 8 does not exist"),
        ("3-1", 4, "the range 3-1 runs backwards: write it as 1-3"),
        ("0-2,2-3", 4, "shard 2 is named twice"),
        ("1,1", 4, "shard 1 is named twice"),
        ("0,,1", 4, "'' is not a shard or a range of shards like 0-3"),
        ("a-b", 4, "'a-b' is not a shard"),
        ("-1", 4, "'-1' is not a shard"),
        ("0-", 4, "'0-' is not a shard"),
    ],
)
def test_bad_shard_lists_are_refused_with_the_reason(text: str, count: int, message: str) -> None:
    with pytest.raises(ShardError, match=message.replace("(", r"\(")):
        parse_ids(text, count)


def test_the_plan_needs_a_count_and_without_options_is_unsharded() -> None:
    assert plan_for(None, None) is None
    assert plan_for(None, 4) == ShardPlan((0, 1, 2, 3), 4)
    assert plan_for("2-3", "4") == ShardPlan((2, 3), 4)
    with pytest.raises(ShardError, match="--shards needs --shard-count"):
        plan_for("0-1", None)
    for bad in ("0", "-2", "x", "1.5", "70000"):
        with pytest.raises(ShardError, match="must be a whole number from 1 to"):
            plan_for(None, bad)


def test_a_plan_owns_the_servers_on_its_shards() -> None:
    plan = ShardPlan((0, 2), 4)
    assert plan.describe() == "shards 0,2 of 4"
    assert ShardPlan((0, 1, 2, 5), 8).text == "0-2,5"
    assert [plan.owns(n << 22) for n in range(5)] == [True, False, True, False, True]
    assert not plan.everything and ShardPlan((0,), 1).everything


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch, **env: str) -> int:
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cli.main(argv)


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("participation-bot: ")
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--shards", "0-4", "--shard-count", "4"], {}, "shard 4 does not exist"),
        (["--shards", "", "--shard-count", "4"], {}, "the shard list is empty"),
        (["--shards", "0-1"], {}, "--shards needs --shard-count"),
        (["--shard-count", "zero"], {}, "shard count 'zero' must be a whole number"),
        ([], {"SHARDS": "0,0", "SHARD_COUNT": "2"}, "shard 0 is named twice"),
        ([], {"SHARD_COUNT": "many"}, "config: shard_count: Input should be a valid integer"),
        ([], {"SHARDS": "0-1"}, "--shards needs --shard-count (or SHARD_COUNT)"),
        # A flag beats the environment: the bad SHARDS is never read.
        (["--shards", "5"], {"SHARDS": "0", "SHARD_COUNT": "4"}, "shard 5 does not exist"),
    ],
)
def test_bad_shard_options_exit_2_with_one_line(
    argv: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", PG)
    assert _run(["run", *argv], monkeypatch, **env) == 2
    assert message in _one_line(capsys)


def test_flags_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARDS", "0-1")
    monkeypatch.setenv("SHARD_COUNT", "4")
    settings = cli.load_settings(database_url=PG)
    args = cli._parser().parse_args(["run", "--shards", "2,3"])
    chosen = cli._sharded(settings, args)
    assert (chosen.shards, chosen.shard_count) == ("2-3", 4)
    assert cli._sharded(settings, cli._parser().parse_args(["run"])).shards == "0-1"


def test_sqlite_refuses_a_process_owning_only_some_shards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert _run(["run", "--shards", "0-1", "--shard-count", "4"], monkeypatch) == 2
    line = _one_line(capsys)
    assert "only shards 0-1 of 4" in line
    assert "SQLite serves one process: PostgreSQL is the engine for several processes" in line
    assert not (tmp_path / "bot.db").exists(), "nothing was started"


def test_sqlite_refuses_a_second_process_on_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"
    held = claim_database(url, None)  # the first process, still running
    assert held is not None
    try:
        monkeypatch.setenv("DATABASE_URL", url)
        assert _run(["run"], monkeypatch) == 2
        line = _one_line(capsys)
        assert f"another participation-bot process is already using {tmp_path}" in line
        assert "PostgreSQL is the engine for several processes" in line
        # One process owning every shard is one process: only the lock decides.
        with pytest.raises(ShardError, match="already using"):
            claim_database(url, ShardPlan((0, 1), 2))
    finally:
        held.close()
    # When the first process ends (however it ends) the file is free again.
    again = claim_database(url, ShardPlan((0, 1), 2))
    assert again is not None
    again.close()


def test_postgresql_and_memory_need_no_lock() -> None:
    assert claim_database(PG, ShardPlan((0,), 4)) is None
    assert claim_database("sqlite+aiosqlite://", None) is None
    assert claim_database("sqlite+aiosqlite:///:memory:", None) is None


def test_a_process_knows_whether_it_sees_every_server() -> None:
    class Unsharded:
        shard_count = None

    class Sharded:
        def __init__(self, ids: list[int], count: int) -> None:
            self.shard_ids, self.shard_count = ids, count

    assert serves_every_server(Unsharded())
    assert serves_every_server(Sharded([0, 1, 2, 3], 4))
    assert not serves_every_server(Sharded([0, 1], 4))
    # A server's cache is held by the process owning `(guild_id >> 22) % count`, no other.
    on_three = 3 << 22
    assert held_here(Unsharded(), on_three)
    assert held_here(Sharded([2, 3], 4), on_three)
    assert not held_here(Sharded([0, 1], 4), on_three)
