"""Benchmark: 10,000 session reminders across 1,000 sessions.

Prints
  1. the start-up rebuild: how long the scheduler takes to learn when work is next due
     (`next_due`) and to load every pending reminder row with what its message needs;
  2. catching up after downtime: claiming and building events for all 10,000 at once;
  3. lateness at due time: 10,000 reminders falling due over a short window, run through
     bot/scheduler.py (APScheduler) with the real clock; lateness = handler time - due time.
Targets: rebuild under 2 s; every reminder within 1 s of its due time.

Run: .venv/bin/python bench/bench_sessions.py [--window 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update

from bot.clock import Clock, ManualClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_sync
from bot.db.models import (
    GroupSession,
    GuildConfig,
    Member,
    SessionReminder,
    SessionRsvp,
)
from bot.scheduler import Scheduler
from bot.services.sessions.service import SessionReminderEvent, SessionsService
from bot.settings import load_settings

GUILD = 1
SESSIONS = 1_000
PER_SESSION = 10
MEMBERS = 1_000


async def seed(sessions, first_due: datetime, window: float) -> None:
    """Insert 1,000 sessions, 1,000 members, 10 confirmed replies and reminders per session."""
    now = datetime.now(UTC)
    total = SESSIONS * PER_SESSION
    async with sessions.begin() as s:
        await s.execute(insert(GuildConfig).values(guild_id=GUILD, worker_log_channel_id=5))
        await s.execute(
            insert(Member),
            [
                {
                    "id": i + 1,
                    "guild_id": GUILD,
                    "user_id": 10_000 + i,
                    "preferred_name": f"Member {i}",
                    "age_band": "18-21",
                    "member_type": "young_person",
                    "locality": "North",
                    "dm_opt_in": True,
                    "adjustments": [],
                    "consent_at": now,
                    "status": "approved",
                    "joined_at": now,
                }
                for i in range(MEMBERS)
            ],
        )
        starts = first_due + timedelta(days=1, seconds=window)
        await s.execute(
            insert(GroupSession),
            [
                {
                    "id": i + 1,
                    "guild_id": GUILD,
                    "title": f"Session {i}",
                    "starts_at": starts + timedelta(minutes=i),
                    "ends_at": starts + timedelta(minutes=i + 90),
                    "duration_minutes": 90,
                    "online_link": "https://zoom.us/j/1",
                    "audience_kind": "everyone",
                    "status": "scheduled",
                    "sequence": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(SESSIONS)
            ],
        )
        pairs = [
            (session, (session * 7 + k * 97) % MEMBERS + 1)
            for session in range(1, SESSIONS + 1)
            for k in range(PER_SESSION)
        ]
        await s.execute(
            insert(SessionRsvp),
            [
                {
                    "session_id": sid,
                    "member_id": mid,
                    "reply": "going",
                    "waitlisted": False,
                    "replied_at": now,
                }
                for sid, mid in pairs
            ],
        )
        # Due times spread evenly over the window, interleaved across sessions.
        await s.execute(
            insert(SessionReminder),
            [
                {
                    "session_id": sid,
                    "member_id": mid,
                    "kind": "24h",
                    "due_at": first_due + timedelta(seconds=window * (n / total)),
                }
                for n, (sid, mid) in enumerate(sorted(pairs, key=lambda p: (p[1], p[0])))
            ],
        )


async def rebuild(service: SessionsService, sessions) -> tuple[float, float, int]:
    """Time next_due and loading every pending row with its session and member."""
    started = time.perf_counter()
    await service.next_due()
    next_due_s = time.perf_counter() - started
    started = time.perf_counter()
    async with sessions.begin() as s:
        rows = (
            await s.execute(
                select(
                    SessionReminder.id,
                    SessionReminder.kind,
                    SessionReminder.due_at,
                    GroupSession.title,
                    GroupSession.starts_at,
                    GroupSession.ends_at,
                    GroupSession.place,
                    GroupSession.online_link,
                    Member.user_id,
                    Member.preferred_name,
                )
                .join(GroupSession, GroupSession.id == SessionReminder.session_id)
                .join(Member, Member.id == SessionReminder.member_id)
                .where(SessionReminder.sent_at.is_(None), SessionReminder.skipped_at.is_(None))
            )
        ).all()
    return next_due_s, time.perf_counter() - started, len(rows)


async def main(window: float) -> None:
    settings = load_settings(database_url="sqlite+aiosqlite:///unused.db")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade_sync, url)
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        lead = 3.0
        first_due = datetime.now(UTC) + timedelta(seconds=lead + 2)
        started = time.perf_counter()
        await seed(sessions, first_due, window)
        print(
            f"seeded {SESSIONS:,} sessions, {SESSIONS * PER_SESSION:,} reminders "
            f"in {time.perf_counter() - started:.2f}s"
        )

        service = SessionsService(settings, sessions, Clock())
        next_due_s, load_s, count = await rebuild(service, sessions)
        total = next_due_s + load_s
        print(
            f"start-up rebuild: next_due {next_due_s * 1000:.1f} ms + loading {count:,} pending "
            f"rows {load_s * 1000:.0f} ms = {total:.3f} s "
            f"(target < 2 s: {'OK' if total < 2 else 'MISSED'})"
        )

        # Lateness through the real scheduler with the real clock.
        lateness: list[float] = []

        async def on_reminder(event: SessionReminderEvent) -> None:
            lateness.append((datetime.now(UTC) - event.due_at).total_seconds())

        scheduler = Scheduler(Clock())
        scheduler.add_source(service)
        scheduler.on(SessionReminderEvent, on_reminder)
        started = time.perf_counter()
        await scheduler.start()
        print(f"scheduler.start() (rebuild + first run): {time.perf_counter() - started:.3f} s")
        deadline = time.monotonic() + lead + 2 + window + 10
        while len(lateness) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await scheduler.stop()
        worst = max(lateness) if lateness else float("nan")
        within = sum(1 for x in lateness if x <= 1.0)
        print(
            f"lateness over a {window:.0f} s window: {len(lateness):,}/{count:,} sent, "
            f"median {statistics.median(lateness) * 1000:.0f} ms, "
            f"p99 {sorted(lateness)[int(len(lateness) * 0.99) - 1] * 1000:.0f} ms, "
            f"max {worst * 1000:.0f} ms; within 1 s: {within:,} "
            f"(target all: {'OK' if within == count else 'MISSED'})"
        )

        # Catch-up after downtime: everything overdue at once, claimed in batches.
        async with sessions.begin() as s:
            await s.execute(update(SessionReminder).values(sent_at=None, skipped_at=None))
        late = ManualClock(first_due + timedelta(seconds=window + 60))
        catch_up = SessionsService(settings, sessions, late)
        started = time.perf_counter()
        claimed = 0
        while batch := await catch_up.take_due(late.now()):
            claimed += len(batch)
        print(
            f"catch-up after downtime: claimed {claimed:,} overdue reminders in "
            f"{time.perf_counter() - started:.2f} s"
        )
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=20.0, help="seconds the dues span")
    asyncio.run(main(parser.parse_args().window))
