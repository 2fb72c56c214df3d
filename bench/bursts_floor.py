"""Child processes for bench/bench_bursts.py: the floor (a bare discord.py bot) and the real bot.

Each runs alone in its own process so that its CPU time can be read from /proc/<pid>/stat
without counting the Discord stand-in or the clicking script.

  python bench/bursts_floor.py floor --api URL --gateway URL
  python bench/bursts_floor.py bot --api URL --gateway URL --guild ID --database-url URL
      [--profile FILE]   (SIGUSR1 starts cProfile, SIGUSR2 stops it and writes FILE, and
                          FILE.sql: each SQL statement's count and time waited for it)

SIGTERM closes the client and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import discord

from bot.discord_target import point_discord_py_at

TOKEN = "sandbox-token"


class _Instant(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"x"):
    """Base of the floor's buttons: answer privately at once, do nothing else."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="x", custom_id=custom_id))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _Instant:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Done.", ephemeral=True)


class FloorVote(_Instant, template=r"poll:vote:(\d+):(\d+)"):
    """A poll vote button."""


class FloorRsvp(_Instant, template=r"session:rsvp:(\d+):(going|maybe|cant)"):
    """A session RSVP button."""


class FloorClaim(_Instant, template=r"support:claim:(\d+)"):
    """A support-queue claim button."""


class FloorPick(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"consult:pick:(\d+):(\d+):([01])"
):
    """A consultation choice select."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(
            discord.ui.Select(custom_id=custom_id, options=[discord.SelectOption(label="x")])
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FloorPick:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Saved.", ephemeral=True)


class FloorClient(discord.Client):
    """A bare discord.py client with the floor's dynamic items and nothing else."""

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FloorVote, FloorRsvp, FloorClaim, FloorPick)


async def _orphaned(stop: asyncio.Event) -> None:
    """Stop when the benchmark that started this process has gone (killed, crashed)."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)
    stop.set()


async def _until_term(close: Any) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    watch = asyncio.create_task(_orphaned(stop))
    await stop.wait()
    watch.cancel()
    await close()


async def run_floor(api: str, gateway: str) -> None:
    """Run the floor until SIGTERM."""
    point_discord_py_at(api, gateway)
    client = FloorClient(intents=discord.Intents.default())
    task = asyncio.create_task(client.start(TOKEN))
    await _until_term(client.close)
    await asyncio.wait([task], timeout=5)


def _time_statements() -> dict[str, list[float]]:
    """Time every SQL statement (as the bot waits for it), summed per statement text."""
    import time

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    totals: dict[str, list[float]] = {}

    @event.listens_for(Engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _end(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        took = time.perf_counter() - conn.info["started"].pop()
        entry = totals.setdefault(" ".join(statement.split())[:300], [0, 0.0])
        entry[0] += 1
        entry[1] += took

    return totals


def _write_statements(totals: dict[str, list[float]], path: Path) -> None:
    """Write the statement timings, the longest total first (written with the profile)."""
    rows = sorted(totals.items(), key=lambda kv: -kv[1][1])
    path.write_text("".join(f"{total:9.3f}s {count:7d}  {text}\n" for text, (count, total) in rows))
    totals.clear()


async def run_bot(args: argparse.Namespace) -> None:
    """Run the real bot (as `participation-bot run` builds it) until SIGTERM."""
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    settings = load_settings(
        database_url=args.database_url,
        discord_guild_id=args.guild,
        discord_api_base=args.api,
        discord_gateway_url=args.gateway,
    )
    runtime = await build_runtime(settings, None, migrate=True)
    loop = asyncio.get_running_loop()
    if args.profile:
        profiler = cProfile.Profile()
        statements = _time_statements()

        def stop_profile() -> None:
            profiler.disable()
            profiler.dump_stats(args.profile)
            _write_statements(statements, Path(args.profile + ".sql"))

        loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
        loop.add_signal_handler(signal.SIGUSR2, stop_profile)
    task = asyncio.create_task(runtime.bot.start(TOKEN))
    await _until_term(runtime.close)
    await asyncio.wait([task], timeout=5)


def main() -> None:
    """Parse the command line and run one child."""
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["floor", "bot"])
    parser.add_argument("--api", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--guild", type=int, default=0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # A burst wakes the scheduler more often than it can run; that warning is expected here.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # "PyNaCl is not installed"
    if args.kind == "floor":
        asyncio.run(run_floor(args.api, args.gateway))
    else:
        asyncio.run(run_bot(args))


if __name__ == "__main__":
    main()
