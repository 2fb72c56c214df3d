"""A process whose shard count Discord will not serve stops with one clear line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.sandbox.fakediscord import FakeDiscord
from tests.conftest import PG_URL, SPEC


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # One process owning both shards of its count: SQLite allows it, Discord refuses.
        (["--shard-count", "2"], "needs more shards (4011 Sharding required): raise"),
        # One shard of eight (discord.py waits 5 s between shards, so only one is asked for).
        (["--shards", "3", "--shard-count", "8"], "refused a shard (4010 Invalid shard)"),
    ],
)
async def test_a_shard_count_discord_refuses_exits_2_with_one_line(
    tmp_path: Path, db_url: str, args: list[str], message: str
) -> None:
    if "--shards" in args and not PG_URL:
        pytest.skip("a process owning some shards needs PostgreSQL (SQLite serves one process)")
    fake = FakeDiscord(SPEC if SPEC.exists() else None, shard_count=4)
    await fake.start()
    env = {
        **os.environ,
        "DISCORD_TOKEN": "refused-token",
        "DATABASE_URL": db_url,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "LOG_LEVEL": "ERROR",
    }
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", "run", *args),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        await fake.stop()
    lines = [line for line in err.decode().splitlines() if line.startswith("participation-bot:")]
    assert proc.returncode == 2, err.decode()[-2000:]
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in err.decode()
