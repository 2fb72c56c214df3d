"""Benchmark: /report for a year of a big group, end to end (figures, charts, CSVs, HTML).

A year of activity for 5,000 members: contributions (grown in steps to 1,000,000), weekly
sessions with replies and attendance, polls with ballots, consultations with responses and
feedback, support requests, expense claims, payments, level moves and equality answers.

Run: .venv/bin/python bench/bench_reports.py [--members 5000] [--steps 100000,250000,500000,1000000]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:54330/pt_other]
Target: /report for the last 12 months under 3 s on this machine, at 1,000,000 contributions.
Without --database-url it uses a SQLite file. The PostgreSQL database is emptied first.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.reports_seed import GUILD, NOW, WORKER_ROLE, add_contributions, seed_group
from bot.clock import ManualClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.services.access import Actor
from bot.services.container import build_services
from bot.services.reports import render
from bot.settings import load_settings

TARGET_S = 3.0


async def main(url: str | None, members: int, steps: list[int], runs: int) -> int:
    """Seed, then time /report at each size; return 1 if the target is missed."""
    if url is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    else:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    await upgrade(url)
    engine = create_engine(url)
    db = create_sessionmaker(engine)
    settings = load_settings(database_url=url)
    services = build_services(settings, db, ManualClock(NOW))
    worker = Actor(user_id=3, guild_id=GUILD, role_ids=frozenset({WORKER_ROLE}))
    rng = random.Random(13)
    print(f"database: {engine.dialect.name}; {members:,} members")
    began = time.perf_counter()
    ids = await seed_group(db, members, rng)
    print(f"seeded the group in {time.perf_counter() - began:.1f} s")
    done, results = 0, []
    for size in steps:
        began = time.perf_counter()
        await add_contributions(db, ids, done, size, rng)
        done = size
        # What autovacuum does soon after a bulk load; timing while it runs measures it instead.
        statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        async with engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text(statement)
            )
        seeded = time.perf_counter() - began
        timings, sql, cpu = [], [], []
        # One run first, untimed: the first chart of a process loads matplotlib's fonts.
        await services.reports.report(worker, "last_12_months")
        for _ in range(runs):
            began, cpu_began = time.perf_counter(), time.process_time()
            report = await services.reports.figures(worker, "last_12_months")
            middle = time.perf_counter()
            files = await asyncio.to_thread(render, report)
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - cpu_began)
            sql.append(middle - began)
        results.append((size, statistics.median(timings), statistics.median(sql)))
        print(
            f"{size:>10,} contributions: /report {statistics.median(timings):5.2f} s "
            f"(figures {statistics.median(sql):5.2f} s, charts + HTML + CSV "
            f"{statistics.median(timings) - statistics.median(sql):4.2f} s; "
            f"HTML {len(files.html) / 1024:,.0f} KiB; this process's CPU "
            f"{statistics.median(cpu):4.2f} s)   [seeded in {seeded:.0f} s]"
        )
    print()
    print(files.summary)
    await engine.dispose()
    size, worst, _ = results[-1]
    first_size, first, _ = results[0]
    print()
    print(
        f"growth: {first:.2f} s at {first_size:,} to {worst:.2f} s at {size:,} contributions "
        f"({worst / first:.1f}x the time for {size / first_size:.0f}x the rows)"
    )
    verdict = "met" if worst < TARGET_S else "MISSED"
    print(f"target {TARGET_S:.0f} s at {size:,} contributions: {verdict} ({worst:.2f} s)")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--steps", default="100000,250000,500000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    steps = [int(x) for x in args.steps.split(",")]
    sys.exit(asyncio.run(main(args.database_url, args.members, steps, args.runs)))
