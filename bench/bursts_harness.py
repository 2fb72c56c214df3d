"""The burst benchmark's plumbing: clicks, timing, child processes and the seeded server."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bot.sandbox.driver import custom_ids
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.sandbox.fakediscord.messaging import build_message, post_message

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "bursts_floor.py"
TICK = os.sysconf("SC_CLK_TCK")
PATHS = ("vote", "rsvp", "answer", "claim")
MODERATORS = 10
# Rows seeded with explicit ids: move PostgreSQL's sequence past them.
SEQUENCE = "SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"
LONDON = ZoneInfo("Europe/London")
QUESTIONS = b"""Q: Which day suits you best?
type: single
- Monday
- Wednesday
- Saturday

Q: Where should we meet?
type: single
- Library
- Youth centre
- Online
"""


# ---- measuring --------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """Return utime + stime of a process in seconds (from /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK


async def idle(pid: int, limit: float = 30.0) -> None:
    """Wait until the process uses (almost) no CPU for two samples in a row."""
    quiet, deadline = 0, time.monotonic() + limit
    last = cpu_seconds(pid)
    while quiet < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - last <= 1.5 / TICK else 0
        last = now


def pct(ordered: list[float], share: float) -> float:
    """Return a percentile of sorted values (nan if empty)."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass
class Click:
    """One click: a button (or a select with values) found by custom_id prefix on a message."""

    user: int
    message_id: int
    prefix: str
    values: list[str] | None = None


@dataclass
class Result:
    """What one path measured on one bot."""

    count: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0
    cpu_after: float = 0.0
    stand_in_cpu: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def clicks(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else float("nan")

    def p(self, share: float) -> float:
        return pct(sorted(self.latencies), share) * 1000


async def _no_wait() -> None:
    """Replace the stand-in's pacing (it waits for the bot's last reply) so a burst is at once."""


async def send(fake: FakeDiscord, click: Click) -> Interaction | str:
    """Dispatch one click without waiting for anything (or say why it cannot be made)."""
    message = fake.message(click.message_id)
    cid = next((c for c in custom_ids(message) if c.startswith(click.prefix)), None)
    if cid is None:
        return f"{click.prefix} is not on message {click.message_id} (an earlier click failed)"
    if click.values is None:
        return await fake.click(click.user, click.message_id, cid)
    return await fake.select(click.user, click.message_id, cid, click.values)


async def run_bursts(
    fake: FakeDiscord,
    pid: int,
    clicks: list[Click],
    burst: int,
    ok: Callable[[Interaction], bool],
) -> Result:
    """Send the clicks `burst` at a time; time and count everything; return the result."""
    fake._settle = _no_wait  # type: ignore[method-assign]
    result = Result()
    await idle(pid)
    # The stand-in (this process) holds every message and interaction so far: a full
    # collection of that heap in the middle of a burst would stall whichever bot is measured.
    gc.collect()
    gc.disable()
    cpu0 = cpu_seconds(pid)
    mine = time.process_time()
    started = time.perf_counter()
    try:
        for i in range(0, len(clicks), burst):
            await _burst(fake, clicks[i : i + burst], ok, result)
    finally:
        gc.enable()
    result.elapsed = time.perf_counter() - started
    result.cpu = cpu_seconds(pid) - cpu0
    result.stand_in_cpu = time.process_time() - mine
    await idle(pid)
    result.cpu_after = cpu_seconds(pid) - cpu0
    return result


async def _burst(
    fake: FakeDiscord, clicks: list[Click], ok: Callable[[Interaction], bool], result: Result
) -> None:
    """Dispatch one burst at once; wait for every answer; record each one."""
    handles = await asyncio.gather(*(send(fake, c) for c in clicks))
    waiting = [h.response(15) for h in handles if not isinstance(h, str)]
    await asyncio.gather(*waiting, return_exceptions=True)
    for h in handles:
        if isinstance(h, str):
            result.failures.append(h)
            continue
        if h.latency is None:
            # Unanswered within Discord's 3 s: lost to its user; it counts as infinitely
            # late in the percentiles and not at all in the rate.
            result.failures.append(f"{h!r}: no answer")
            result.latencies.append(float("inf"))
            continue
        result.count += 1
        result.latencies.append(h.latency)
        if not ok(h):
            result.failures.append(h.content or f"(callback {h.callback_type})")


# ---- the two bots -----------------------------------------------------------------------


def spawn(
    kind: str, fake: FakeDiscord, log: Path, *extra: str, root: Path = ROOT
) -> subprocess.Popen[bytes]:
    """Start a child bot connected to a stand-in, its output going to a log file.

    `root` is the source tree the child runs from: another checkout (an earlier commit) runs
    the bot as it was then, for before-and-after figures in one run.
    """
    child = root / "bench" / CHILD.name
    args = [sys.executable, str(child), kind, "--api", fake.api_base, "--gateway"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    with log.open("wb") as out:
        return subprocess.Popen(
            [*args, fake.gateway_url, *extra],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def connected(fake: FakeDiscord, child: subprocess.Popen[bytes], guild: int | None) -> None:
    """Wait until a child bot is connected (and has synced its commands, for the real bot)."""

    def ready() -> bool:
        if child.poll() is not None:
            raise RuntimeError(f"child bot exited with {child.returncode}")
        return fake.hub.live_sessions() > 0 and (guild is None or fake.commands(guild) != [])

    await fake.wait_for(ready, timeout=60)
    await idle(child.pid)


def stop(child: subprocess.Popen[bytes]) -> None:
    """Stop a child bot (SIGTERM, then SIGKILL after 10 s)."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@dataclass
class Server:
    """A stand-in with a server, its staff and members."""

    fake: FakeDiscord
    guild: int
    admin: int
    worker: int
    moderators: list[int]
    members: list[int]


async def make_server(members: int) -> Server:
    """Start a stand-in and create the server, staff and member users."""
    fake = FakeDiscord(None, reaction_time=0.0)
    await fake.start()
    admin = fake.create_user("admin", "Alex Admin")
    guild = fake.create_guild("Participation Group", owner_id=admin)
    fake.create_channel(guild, "general")
    worker = fake.create_user("worker", "Wendy Worker")
    fake.add_member(guild, worker)
    mods = [fake.create_user(f"mod{i}", f"Mod {i}") for i in range(MODERATORS)]
    users = [fake.create_user(f"m{i}", f"Member {i}") for i in range(members)]
    for user in mods + users:
        fake.add_member(guild, user)
    return Server(fake, guild, admin, worker, mods, users)


def twice(
    users: list[int], message_id: int, first: Callable[[int], str], second: Callable[[int], str]
) -> list[Click]:
    """Every user clicks once (first), then every user again (second)."""
    return [Click(u, message_id, first(i)) for i, u in enumerate(users)] + [
        Click(u, message_id, second(i)) for i, u in enumerate(users)
    ]


# ---- the floor --------------------------------------------------------------------------


def floor_clicks(server: Server) -> dict[str, list[Click]]:
    """Post one message with the floor's components; return the clicks of every path."""
    fake, users = server.fake, server.members
    channel = next(int(c["id"]) for c in fake.guild_channels(server.guild))

    def button(cid: str) -> dict[str, Any]:
        return {"type": 2, "style": 2, "label": cid[-20:], "custom_id": cid}

    body = {
        "content": "floor",
        "components": [
            {"type": 1, "components": [button(f"poll:vote:1:{i}") for i in range(4)]},
            {
                "type": 1,
                "components": [button("session:rsvp:1:going"), button("session:rsvp:1:maybe")],
            },
            {"type": 1, "components": [button("support:claim:1")]},
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "consult:pick:1:1:0",
                        "options": [{"label": str(i), "value": str(i)} for i in range(3)],
                    }
                ],
            },
        ],
    }
    message = build_message(fake.state, channel, fake.bot_user_id, body, [])
    post_message(fake.state, message)
    mid = int(message["id"])
    claims = [
        Click(server.moderators[i % MODERATORS], mid, "support:claim:1")
        for i in range(2 * len(users))
    ]
    answers = [Click(u, mid, "consult:pick:", [str(i % 2)]) for i, u in enumerate(users)]
    return {
        "vote": twice(
            users, mid, lambda i: f"poll:vote:1:{i % 2}", lambda i: f"poll:vote:1:{2 + i % 2}"
        ),
        "rsvp": twice(
            users, mid, lambda i: "session:rsvp:1:going", lambda i: "session:rsvp:1:maybe"
        ),
        "answer": answers + [Click(c.user, mid, c.prefix, ["2"]) for c in answers],
        "claim": claims,
    }


# ---- the real bot -----------------------------------------------------------------------


def _letters(words: str) -> str:
    return re.sub("[^a-z]", "", words.lower())


def _when(days: int) -> str:
    return (datetime.now(LONDON) + timedelta(days=days)).strftime("%Y-%m-%d 17:00")


async def _settle_text(fake: FakeDiscord, handle: Interaction) -> str:
    def words() -> str:
        parts = [(handle.original or {}).get("content") or handle.content or ""]
        return "\n".join(parts + [m.get("content") or "" for m in handle.followups])

    await fake.wait_for(lambda: words() or None, 30)
    return words()
