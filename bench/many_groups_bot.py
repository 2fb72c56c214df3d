"""The bot for bench/bench_many_groups.py on a branch whose `run` has no shard options yet.

It runs the real bot exactly as `participation-bot run` does (settings from the environment),
as one shard of several: SHARDS names the one shard this process owns and SHARD_COUNT how many
there are (the environment `run` reads once it has shard options). SIGTERM closes it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.logs import configure_logging
from bot.runtime import build_runtime
from bot.settings import load_settings


async def main() -> None:
    """Build the bot as `run` does, make it one shard, and run until SIGTERM."""
    settings = load_settings()
    configure_logging(settings.log_level)
    runtime = await build_runtime(settings)
    shard, count = int(os.environ["SHARDS"]), int(os.environ["SHARD_COUNT"])
    # A plain discord.py client runs as one shard when given its id and the count.
    runtime.bot.shard_id, runtime.bot.shard_count = shard, count
    runtime.bot._connection.shard_count = count
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(runtime.bot.close()))
    assert settings.discord_token is not None
    try:
        await runtime.bot.start(settings.discord_token.get_secret_value())
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main())
