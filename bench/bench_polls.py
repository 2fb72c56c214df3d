"""Benchmark: 2,000 votes from 1,000 members clicking poll buttons through the Discord stand-in.

Each member votes once and then changes their vote, so half the votes replace a ballot.
Run: .venv/bin/python bench/bench_polls.py [--members 1000] [--concurrency 4]
Prints votes per second and p50/p99 time for the bot to answer the interaction.
Target: p99 under 250 ms on this machine (Discord's hard limit is 3 s).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import ManualClock
from bot.db.models import Member
from bot.sandbox.driver import BotHarness, answered, command, custom_ids
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.access import Actor
from bot.settings import load_settings

TARGET_P99_MS = 250.0
OPTIONS = ["Monday", "Tuesday", "Wednesday", "Thursday"]


def _pct(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def main(members: int, concurrency: int) -> int:
    """Set up a server, post a poll, click 2 votes per member; return 1 if the target is missed."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-polls-"))
    url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    fake = FakeDiscord(None, reaction_time=0.0)
    await fake.start()
    admin = fake.create_user("admin", "Alex Admin")
    guild = fake.create_guild("Participation Group", owner_id=admin)
    fake.create_channel(guild, "general")
    worker = fake.create_user("worker", "Wendy Worker")
    fake.add_member(guild, worker)
    settings = load_settings(
        database_url=url,
        discord_guild_id=guild,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
    )
    clock = ManualClock(datetime.now(UTC))
    harness = BotHarness(fake, settings, clock)
    await harness.start()
    try:
        setup = await command(fake, admin, guild, "setup")
        await fake.wait_for(lambda: setup.content and "set up" in setup.content, timeout=30)
        roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(guild)}
        fake.set_member_roles(guild, worker, [roles["Worker"]])
        polls_channel = next(
            int(c["id"]) for c in fake.guild_channels(guild) if c["name"] == "polls"
        )
        await fake.wait_for(
            lambda: any(
                r.id == roles["Worker"]
                for r in harness.bot.get_guild(guild).get_member(worker).roles
            )
        )

        started = time.perf_counter()
        users = [fake.create_user(f"m{i}", f"Member {i}") for i in range(members)]
        for user in users:
            fake.add_member(guild, user, [roles["Member"]])
        now = clock.now()
        async with harness.services.db.begin() as s:
            for i, user in enumerate(users):
                s.add(
                    Member(
                        guild_id=guild,
                        user_id=user,
                        preferred_name=f"Member {i}",
                        age_band="16-17",
                        member_type="young_person",
                        locality="North",
                        dm_opt_in=False,
                        adjustments=[],
                        consent_at=now,
                        joined_at=now,
                        status="approved",
                        level_key="consultation",
                    )
                )
        await fake.wait_for(lambda: len(harness.bot.get_guild(guild).members) >= members + 2)
        print(f"set up {members} members in {time.perf_counter() - started:.1f}s")

        handle = await command(
            fake,
            worker,
            guild,
            "poll create",
            {"question": "Which day suits you?", "closes": "2d", "options": "; ".join(OPTIONS)},
        )
        assert "posted" in (handle.content or ""), handle.content
        message = fake.messages_in(polls_channel)[-1]
        buttons = [c for c in custom_ids(message) if c.startswith("poll:vote:")]
        poll_id = int(buttons[0].split(":")[2])

        latencies: list[float] = []
        failures: list[str] = []
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        for i, user in enumerate(users):
            queue.put_nowait((user, buttons[i % 2]))  # first vote: Monday or Tuesday
        for i, user in enumerate(users):
            queue.put_nowait((user, buttons[2 + i % 2]))  # changed to Wednesday or Thursday

        async def clicker() -> None:
            while not queue.empty():
                user, button = queue.get_nowait()
                click = await answered(await fake.click(user, int(message["id"]), button))
                latencies.append(click.latency)
                if "vote" not in (click.content or ""):
                    failures.append(click.content or "(no answer)")

        started = time.perf_counter()
        await asyncio.gather(*(clicker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started

        results = await harness.services.polls.close(
            Actor(user_id=admin, guild_id=guild, is_admin=True), poll_id
        )
    finally:
        await harness.stop()
        await fake.stop()

    ordered = sorted(latencies)
    votes = len(latencies)
    p50, p99 = _pct(ordered, 0.50) * 1000, _pct(ordered, 0.99) * 1000
    print(f"votes:        {votes} from {members} members ({concurrency} clicking at once)")
    print(f"votes/second: {votes / elapsed:.1f}")
    print(f"answer time:  p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {ordered[-1] * 1000:.1f} ms")
    print(f"mean:         {statistics.mean(ordered) * 1000:.1f} ms")
    counts = dict(zip(OPTIONS, results.results.counts, strict=True))
    print(f"final counts: {counts} (ballots {results.results.total_ballots})")
    expected = [0, 0, (members + 1) // 2, members // 2]
    ok = list(results.results.counts) == expected and not failures
    if failures:
        print(f"FAILED: {len(failures)} votes were not confirmed, e.g. {failures[0]!r}")
    if list(results.results.counts) != expected:
        print(f"FAILED: expected counts {expected}")
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'MISSED'}")
    return 0 if ok and p99 < TARGET_P99_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("-v", action="store_true", help="debug logging")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.v else logging.WARNING)
    sys.exit(asyncio.run(main(args.members, args.concurrency)))
