"""Benchmark: every server's own settings, read at start-up, refreshed, and looked up.

Target: start-up load of 1,000 servers with their own settings under 2 s; a refresh (one
query for rows changed lately) under 50 ms; a lookup (`settings_for`) under 5 µs.
Run: .venv/bin/python bench/bench_settings.py [--servers 1000] [--database-url URL]

Each server gets its own group (areas), support (crisis contacts) and ladder, as a provider
running many groups would have. Prints the load time, the memory the effective settings
take, a refresh with nothing new and with one edit from "another process", and lookups.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import ServerSetting
from bot.services.settings.store import ServerSettingsCache
from bot.settings import load_settings

LADDER = {
    "levels": [
        {"key": "voice", "name": "Voice", "description": "Sharing views."},
        {
            "key": "champion",
            "name": "Champion",
            "description": "Speaking up.",
            "paid": True,
            "hourly_rate_pence": 1300,
            "requirements": {"contributions": {"poll_vote": 2}},
        },
    ]
}


def rows_for(guild_id: int, now: datetime) -> list[ServerSetting]:
    """Return one server's three overridden sections."""
    values = {
        "group": {"localities": [f"Area {guild_id % 97}", "Online only"], "locality_aliases": {}},
        "support": {
            "crisis_resources": [
                {"name": "Samaritans", "detail": "Call 116 123, free, any time."},
                {"name": f"Local line {guild_id}", "detail": "Call 0800 000 000."},
            ]
        },
        "ladder": LADDER,
    }
    return [
        ServerSetting(
            guild_id=guild_id, section=k, value=json.dumps(v), updated_by=1, updated_at=now
        )
        for k, v in values.items()
    ]


async def main(servers: int, url: str | None) -> None:
    """Seed, then time load, refresh and lookups."""
    folder = tempfile.mkdtemp()
    url = url or f"sqlite+aiosqlite:///{folder}/bench.db"
    settings = load_settings(database_url=url)
    await upgrade(url)
    engine = create_engine(url)
    db = create_sessionmaker(engine)
    now = datetime.now(UTC)
    guilds = [900_000_000_000_000_000 + i for i in range(servers)]
    async with db.begin() as s:
        await s.execute(ServerSetting.__table__.delete())
        for g in guilds:
            s.add_all(rows_for(g, now))
    cache = ServerSettingsCache(settings)
    start = time.perf_counter()
    loaded = await cache.load(db)
    load_s = time.perf_counter() - start
    # Memory separately: tracing allocations slows the load it measures.
    tracemalloc.start()
    held = ServerSettingsCache(settings)
    await held.load(db)
    per_server_kib = tracemalloc.get_traced_memory()[0] / servers / 1024
    tracemalloc.stop()
    del held
    start = time.perf_counter()
    await cache.refresh(db)
    idle_ms = (time.perf_counter() - start) * 1000
    async with db.begin() as s:
        row = await s.get(ServerSetting, (guilds[0], "group"))
        assert row is not None
        row.value = json.dumps({"localities": ["Elsewhere"], "locality_aliases": {}})
        row.updated_at = datetime.now(UTC)
    start = time.perf_counter()
    await cache.refresh(db)
    edit_ms = (time.perf_counter() - start) * 1000
    assert cache.for_server(guilds[0]).group.localities == ["Elsewhere"]
    settings.serve_per_server(cache.own)
    n = 200_000
    start = time.perf_counter()
    for i in range(n):
        settings.for_server(guilds[i % servers])
    lookup_us = (time.perf_counter() - start) / n * 1e6
    await engine.dispose()
    print(f"database: {url.split('://')[0]}; {servers:,} servers, 3 sections each")
    print(f"start-up load: {load_s:.2f} s for {loaded:,} servers ({per_server_kib:.1f} KiB each)")
    print(f"refresh, nothing new: {idle_ms:.1f} ms (every row is under 5 minutes old here)")
    print(f"refresh after one edit elsewhere: {edit_ms:.1f} ms")
    print(f"settings_for lookup: {lookup_us:.2f} µs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.servers, args.database_url))
