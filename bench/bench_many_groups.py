"""Benchmark: many groups, one deployment: 1,000 servers of 50 members on 1, 2 and 4 processes.

The real bot runs as 1, 2 and 4 processes sharing one PostgreSQL database, each connected to
its share of the shards of one Discord stand-in (in this process) that holds every server. The
stand-in has 4 shards and the processes split them (`run --shards 0-3 --shard-count 4`, then
0-1 and 2-3, then one each). On a branch whose `run` has no shard options yet, each process
runs bench/many_groups_bot.py instead: the same bot as one shard of as many as there are
processes (SHARDS / SHARD_COUNT), and the table says so.

Measured for each number of processes:
  start-up       from starting the processes to every one answering 200 on /health (the ops
                 port: gateway connected, every server loaded, database up); the slowest;
  memory         each process's resident set (VmRSS) once ready, and its peak (VmHWM) at the
                 end of the run, in MB;
  interactions   RSVP clicks by members of servers across every shard, `--burst` at once, on
                 each server's session announcement: answered per second, p50/p99 time to the
                 bot's answer (from the stand-in dispatching the click to the callback);
  reminders      every server's session starts in the same hour, so each server's
                 `--reminded` going members are owed their "1h" reminder DM at the same moment
                 (the busiest minute): how late each DM reached the stand-in (p50/p99/max),
                 and how many arrived, exactly once each. Each process delivers up to
                 `--outbox-concurrency` at once (OUTBOX_CONCURRENCY); 1 is the sender of
                 one delivery at a time that came before, for a before/after in one run.
  stand-in CPU   this process's CPU over the run: the stand-in serves every bot process from
                 one Python thread, so on a small machine it, not the bot, can set the pace;
                 the load average is printed beside it (the machine may be shared).
Then how each figure grows from 1 to 2 to 4 processes.

Members are bulk-inserted (SQLAlchemy Core), not joined through Discord. The reminder moment
is set once every process is ready, far enough ahead that each process's 30-second sweep has
planned it (as a restart would), so what is measured is the busy minute, not start-up.

Run: .venv/bin/python bench/bench_many_groups.py --database-url postgresql+asyncpg://...
         (or BENCH_DATABASE_URL; without either it says so and does nothing)
         [--servers 1000] [--members 50] [--reminded 2] [--clicks 500] [--burst 10]
         [--processes 1,2,4] [--outbox-concurrency 8]   (a list, e.g. 1,8: each with each)
         [--discord-latency-ms 0]   (each REST reply's round trip; real Discord's is tens of ms)
         [--rate-limits]   (the stand-in keeps Discord's rate limits: 50 requests a second in
                            all, a channel's posts 5 per 5 s; it prints how many it refused.
                            200 servers, 1 process, 400 reminders, PostgreSQL, load 0.8: the
                            last reminder 15.4 s late with them, 2.4 s without; 15 global
                            429s waited out; every reminder once)
The database's public schema is dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from bursts_harness import _no_wait, idle, pct
from many_groups_seed import Group, arm, build_world, reset_schema, seed

from bot.db.migrate import upgrade
from bot.sandbox.fakediscord import FakeDiscord, Interaction

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "many_groups_bot.py"
SHARDS = 4
# Each process's sweep runs every 30 s; a reminder set further ahead than that is planned.
PLAN_AHEAD = timedelta(seconds=33)


@dataclass
class Figures:
    """What one run (one number of processes) measured."""

    processes: int
    concurrency: int = 8
    startup: float = 0.0
    rss: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)
    answered: int = 0
    clicks: int = 0
    click_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    expected: int = 0
    twice: int = 0
    failures: list[str] = field(default_factory=list)
    stand_in_cpu: float = 0.0
    load: float = 0.0


def has_shard_flags() -> bool:
    """Tell whether `participation-bot run` takes --shards on this branch."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    return "--shards" in out.stdout


def free_port() -> int:
    """Return a port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int, key: str) -> float:
    """Return VmRSS or VmHWM of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def plan(processes: int, flags: bool) -> list[tuple[list[str], dict[str, str]]]:
    """Return each process's command line and shard environment."""
    if not flags:
        return [
            ([str(CHILD)], {"SHARDS": str(i), "SHARD_COUNT": str(processes)})
            for i in range(processes)
        ]
    per = SHARDS // processes
    return [
        (
            [
                *("-m", "bot", "run"),
                *("--shards", f"{i * per}-{(i + 1) * per - 1}", "--shard-count", str(SHARDS)),
            ],
            {},
        )
        for i in range(processes)
    ]


def spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start one bot process, its output going to a log file."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, *argv], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


async def healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until a process answers 200 on /health."""
    async with aiohttp.ClientSession() as http:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"a bot process exited with {proc.returncode}; see {log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)


async def click_across(
    fake: FakeDiscord, groups: list[Group], args: argparse.Namespace, f: Figures
) -> None:
    """RSVP as members of every server in turn, `burst` at once; time and count answers."""
    fake._settle = _no_wait  # type: ignore[method-assign]
    clicks = []
    for k in range(args.clicks):
        g = groups[k % len(groups)]
        user = g.users[args.reminded + (k // len(groups)) % (len(g.users) - args.reminded)]
        clicks.append((user, g.announcement, f"session:rsvp:{g.rsvp_session}:going"))
    started = time.perf_counter()
    for i in range(0, len(clicks), args.burst):
        handles: list[Interaction] = await asyncio.gather(
            *(fake.click(u, m, cid) for u, m, cid in clicks[i : i + args.burst])
        )
        await asyncio.gather(*(h.response(15) for h in handles), return_exceptions=True)
        for h in handles:
            f.clicks += 1
            if h.latency is None:
                f.latencies.append(float("inf"))
                f.failures.append("a click was not answered in time")
                continue
            f.answered += 1
            f.latencies.append(h.latency)
            if "going" not in (h.content or "").lower() and not h.followups:
                f.failures.append(h.content or f"(callback {h.callback_type})")
    f.click_seconds = time.perf_counter() - started


def reminder_dms(fake: FakeDiscord, users: list[int], since: dict[int, int]) -> list[list[dict]]:
    """Return each reminded user's DMs since the run began."""
    return [fake.dm_messages(u)[since.get(u, 0) :] for u in users]


async def run(
    processes: int,
    concurrency: int,
    fake: FakeDiscord,
    groups: list[Group],
    args: argparse.Namespace,
    flags: bool,
) -> Figures:
    """Start the processes, click, let the busiest minute come, stop; return the figures."""
    f = Figures(processes, concurrency)
    # The stand-in routes each server to shard (guild_id >> 22) % count: one shard per process
    # without shard options, four shared out with them.
    count = SHARDS if flags else processes
    fake.hub.shard_count = fake.env.shard_count = count
    await arm(args.database_url, datetime.now(UTC) + timedelta(days=1))
    reminded = [u for g in groups for u in g.users[: args.reminded]]
    since = {u: len(fake.dm_messages(u)) for u in reminded}
    tmp = Path(tempfile.mkdtemp(prefix="bench-many-groups-"))
    children: list[tuple[subprocess.Popen[bytes], int, Path]] = []
    started, cpu = time.perf_counter(), time.process_time()
    for n, (argv, shard_env) in enumerate(plan(processes, flags)):
        port, log = free_port(), tmp / f"bot{n}.log"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": "sandbox-token",
            "DATABASE_URL": args.database_url,
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "OPS_PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "OUTBOX_CONCURRENCY": str(concurrency),
            **shard_env,
        }
        children.append((spawn(argv, env, log), port, log))
    try:
        await asyncio.gather(*(healthy(port, proc, log) for proc, port, log in children))
        f.startup = time.perf_counter() - started
        # Start-up's last work (checks of every server) settles before anything is measured.
        await asyncio.gather(*(idle(proc.pid, 60) for proc, _, _ in children))
        f.rss = [memory_mb(proc.pid, "VmRSS") for proc, _, _ in children]
        await click_across(fake, groups, args, f)
        due = datetime.now(UTC) + PLAN_AHEAD
        await arm(args.database_url, due)
        f.expected = len(reminded)
        deadline = due + timedelta(seconds=args.reminder_timeout)
        while datetime.now(UTC) < deadline:
            got = reminder_dms(fake, reminded, since)
            if sum(1 for dms in got if dms) >= f.expected and datetime.now(UTC) > due:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # anything sent twice would arrive now
        for dms in reminder_dms(fake, reminded, since):
            if dms:
                at = datetime.fromisoformat(dms[0]["timestamp"])
                f.late.append((at - due).total_seconds())
            f.twice += len(dms) > 1
        f.peak = [memory_mb(proc.pid, "VmHWM") for proc, _, _ in children]
        f.stand_in_cpu = time.process_time() - cpu
        f.load = os.getloadavg()[0]
        errors = sum(log.read_text(errors="replace").count("ERROR") for _, _, log in children)
        if errors:
            f.failures.append(f"the bot logged {errors} errors (in {tmp})")
    finally:
        for proc, _, _ in children:
            proc.terminate()
        for proc, _, _ in children:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return f


def growth(first: float, then: float) -> str:
    """Return then/first as "1.85x", or "-" when either is not a finite, non-zero figure."""
    if not (math.isfinite(first) and math.isfinite(then)) or first == 0:
        return "-"
    return f"{then / first:.2f}x"


def report(runs: list[Figures]) -> None:
    """Print the figures of every run and how each grows from the first."""

    def ms(values: list[float], share: float) -> float:
        return pct(sorted(values), share) * 1000

    rows = [
        ("start-up to /health 200, s", lambda f: f.startup, "{:.1f}"),
        ("RSS per process, MB (mean)", lambda f: statistics.mean(f.rss), "{:.0f}"),
        ("peak RSS per process, MB (max)", lambda f: max(f.peak), "{:.0f}"),
        ("RSS of all processes, MB", lambda f: sum(f.rss), "{:.0f}"),
        ("interactions answered / s", lambda f: f.answered / f.click_seconds, "{:.0f}"),
        ("answer p50, ms", lambda f: ms(f.latencies, 0.5), "{:.0f}"),
        ("answer p99, ms", lambda f: ms(f.latencies, 0.99), "{:.0f}"),
        ("reminders delivered", lambda f: len(f.late), "{:.0f}"),
        ("reminder lateness p50, s", lambda f: pct(sorted(f.late), 0.5), "{:.2f}"),
        ("reminder lateness p99, s", lambda f: pct(sorted(f.late), 0.99), "{:.2f}"),
        ("reminder lateness max, s", lambda f: max(f.late, default=float("nan")), "{:.2f}"),
        ("stand-in + script CPU, s", lambda f: f.stand_in_cpu, "{:.0f}"),
        ("load average (1 min) at end", lambda f: f.load, "{:.1f}"),
    ]
    label = [f"{f.processes}p/{f.concurrency}" for f in runs]
    head = "".join(f"{name:>9}" for name in label)
    grows = "".join(f"{f'{name}:1st':>12}" for name in label[1:])
    print(f"\n  {'processes/deliveries at once':32}{head}{grows}")
    for name, get, form in rows:
        values = [get(f) for f in runs]
        cells = "".join(f"{form.format(v):>9}" for v in values)
        ratios = "".join(f"{growth(values[0], v):>12}" for v in values[1:])
        print(f"  {name:32}{cells}{ratios}")
    for f in runs:
        print(
            f"  {f.processes} process(es), {f.concurrency} deliveries at once: "
            f"{f.answered}/{f.clicks} clicks answered, "
            f"{len(f.late)}/{f.expected} reminders delivered, {f.twice} delivered twice"
        )
        for failure in f.failures[:3]:
            print(f"    FAILED: {failure!r}")


async def main(args: argparse.Namespace) -> int:
    """Seed once, then run with each number of processes and print the table."""
    flags = has_shard_flags()
    counts = [int(n) for n in args.processes.split(",")]
    if flags:
        print(f"sharded with `run --shards A-B --shard-count {SHARDS}`")
    else:
        print(
            "`run` has no --shards on this branch: each process runs bench/many_groups_bot.py, "
            "the same bot as one shard of as many as there are processes (SHARDS/SHARD_COUNT)"
        )
    print(f"load average at start: {os.getloadavg()}")
    await reset_schema(args.database_url)
    await upgrade(args.database_url)
    started = time.perf_counter()
    fake = FakeDiscord(None, reaction_time=0.0, shard_count=max(counts) if not flags else SHARDS)
    fake.rest_latency = args.discord_latency_ms / 1000
    # Discord's limits (50 requests a second in all, a channel's posts 5 per 5 s): the
    # busiest minute's figure as a real server would show it.
    fake.rate_limits.enabled = args.rate_limits
    await fake.start()
    groups = build_world(fake, args.servers, args.members)
    reminders = await seed(args.database_url, groups, args.reminded)
    print(
        f"{args.servers} servers x {args.members} members seeded in "
        f"{time.perf_counter() - started:.1f}s; {reminders} reminders due in the same minute; "
        f"{args.clicks} clicks in bursts of {args.burst}; each REST reply "
        f"{args.discord_latency_ms:g} ms; Discord's rate limits "
        f"{'on' if args.rate_limits else 'off'}"
    )
    runs: list[Figures] = []
    try:
        for n in counts:
            for c in [int(c) for c in args.outbox_concurrency.split(",")]:
                runs.append(await run(n, c, fake, groups, args, flags))
                print(f"  ran with {n} process(es), {c} deliveries at once", flush=True)
    finally:
        await fake.stop()
    report(runs)
    if args.rate_limits:
        refused = fake.rate_limits.refused
        scopes = {scope: sum(r.startswith(scope) for r in refused) for scope in ("global", "user")}
        print(f"requests refused for a rate limit (then retried): {scopes}")
    print(f"load average at end: {os.getloadavg()}")
    failed = any(f.failures or f.twice or len(f.late) < f.expected for f in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--reminded", type=int, default=2)
    parser.add_argument("--clicks", type=int, default=500)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--reminder-timeout", type=float, default=180.0)
    parser.add_argument("--outbox-concurrency", default="8")
    parser.add_argument("--discord-latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--rate-limits", action="store_true", help="the stand-in keeps Discord's rate limits"
    )
    arguments = parser.parse_args()
    if not arguments.database_url.startswith("postgresql"):
        print("bench_many_groups needs PostgreSQL: pass --database-url or BENCH_DATABASE_URL")
        sys.exit(0)
    sys.exit(asyncio.run(main(arguments)))
