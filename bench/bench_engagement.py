"""Benchmark: /progress and the eligibility check with 100,000 contributions for 5,000 members.

Run: .venv/bin/python bench/bench_engagement.py [--members 5000] [--contributions 100000]
Target: each per-member figure under 50 ms on this machine (SQLite file database).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Contribution, GuildConfig, Member
from bot.services.access import Actor
from bot.services.container import build_services
from bot.services.engagement.eligibility import check_member, scan
from bot.settings import load_settings

GUILD = 1
WORKER_ROLE = 2
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TARGET_MS = 50.0


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms"


async def main(members: int, contributions: int, samples: int) -> int:
    """Fill a database, then time the per-member calls; return 1 if a target is missed."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-engagement-"))
    url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    await upgrade(url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    settings = load_settings(database_url=url)
    clock = ManualClock(NOW)
    services = build_services(settings, sessions, clock)
    levels = [level.key for level in settings.ladder.levels]
    kinds = list(ContributionKind)
    rng = random.Random(7)

    started = time.perf_counter()
    async with sessions.begin() as s:
        await s.execute(insert(GuildConfig).values(guild_id=GUILD, worker_role_id=WORKER_ROLE))
        await s.execute(
            insert(Member),
            [
                {
                    "guild_id": GUILD,
                    "user_id": 10_000 + i,
                    "preferred_name": f"Member {i}",
                    "age_band": "16-17",
                    "member_type": "young_person",
                    "locality": "North",
                    "dm_opt_in": True,
                    "adjustments": [],
                    "consent_at": NOW - timedelta(days=500),
                    "status": "approved",
                    "level_key": rng.choice(levels[:4]),
                    "joined_at": NOW - timedelta(days=500),
                    "decided_at": NOW - timedelta(days=rng.randint(1, 480)),
                }
                for i in range(members)
            ],
        )
    rows = []
    for n in range(contributions):
        m = rng.randint(1, members)
        rows.append(
            {
                "guild_id": GUILD,
                "member_id": m,
                "kind": rng.choice(kinds).value,
                "source_key": f"bench:{n}",
                "hours": None,
                "note": None,
                "occurred_at": NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 540)),
                "recorded_by": None,
                "recorded_at": NOW,
            }
        )
    async with sessions.begin() as s:
        for start in range(0, len(rows), 10_000):
            await s.execute(insert(Contribution), rows[start : start + 10_000])
    print(
        f"filled {members:,} members and {contributions:,} contributions "
        f"in {time.perf_counter() - started:.1f} s ({tmp / 'bench.db'})"
    )

    users = [10_000 + rng.randrange(members) for _ in range(samples)]
    progress = services.engagement.progress
    # Warm up the connection pool and matplotlib's font cache.
    await progress.progress(Actor(users[0], GUILD), chart=True)

    timings: dict[str, list[float]] = {"data": [], "chart": [], "eligibility": []}
    for user in users:
        actor = Actor(user, GUILD)
        t0 = time.perf_counter()
        await progress.progress(actor, chart=False)
        timings["data"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        view = await progress.progress(actor, chart=True)
        timings["chart"].append((time.perf_counter() - t0) * 1000)
        assert view.chart_png and view.chart_png.startswith(b"\x89PNG")
        t0 = time.perf_counter()
        async with sessions.begin() as s:
            member = await s.get(Member, user - 10_000 + 1)
            assert member is not None
            await check_member(s, settings, progress.ladder, member, clock.now())
        timings["eligibility"].append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    async with sessions.begin() as s:
        noticed = await scan(s, settings, progress.ladder, clock.now())
    full_scan = (time.perf_counter() - t0) * 1000
    worker = Actor(1, GUILD, frozenset({WORKER_ROLE}))
    t0 = time.perf_counter()
    listed = await services.engagement.moves.eligible(worker, limit=25)
    eligible_list = (time.perf_counter() - t0) * 1000

    print(f"samples per figure: {samples}")
    print(f"/progress data (no chart)      {_ms(timings['data'])}")
    print(f"/progress with PNG chart       {_ms(timings['chart'])}")
    print(f"eligibility check (one member) {_ms(timings['eligibility'])}")
    print(f"full eligibility scan of {members:,} members: {full_scan:.0f} ms ({len(noticed)} new)")
    print(f"/levels eligible (worker list, {len(listed)} shown): {eligible_list:.0f} ms")
    missed = [
        name for name in ("data", "eligibility") if statistics.median(timings[name]) > TARGET_MS
    ]
    if statistics.median(timings["chart"]) > TARGET_MS:
        print("note: the chart alone is above 50 ms; /progress defers its reply before drawing")
    print("target < 50 ms:", "MISSED for " + ", ".join(missed) if missed else "met")
    await engine.dispose()
    return 1 if missed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.members, args.contributions, args.samples)))
