"""The bot as a child process for the soak (started, killed, started again), and its answers."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.driver import answered, everything_text
from bot.sandbox.fakediscord import FakeDiscord, Interaction

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday morning, GMT


def process_env(fake: FakeDiscord, db_url: str, token: str) -> dict[str, str]:
    """Return the environment that points a bot process at the stand-in and a database."""
    return {
        **os.environ,
        "DISCORD_TOKEN": token,
        "DATABASE_URL": db_url,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "GUILD_READY_TIMEOUT": "0.05",
        "LOG_LEVEL": "WARNING",
    }


class BotProcess:
    """The bot as a child process: started, killed with SIGKILL, started again."""

    def __init__(self, fake: FakeDiscord, env: dict[str, str], log: Path, speed: float) -> None:
        self.fake, self.env, self.log, self.speed = fake, env, log, speed
        self.proc: asyncio.subprocess.Process | None = None
        self._wall_start = datetime.now(UTC)

    def now(self) -> datetime:
        """Return the bot's (fast) time, which carries on across restarts."""
        return START + (datetime.now(UTC) - self._wall_start) * self.speed

    async def start(self) -> None:
        """Start the bot and wait until it is connected and its commands are synced."""
        syncs = sum(1 for r in self.fake.requests if r.startswith("PUT ") and "/commands" in r)
        env = {**self.env, "CLOCK_START": self.now().isoformat(), "CLOCK_SPEED": str(self.speed)}
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, stdout=out, stderr=out
            )

        def ready() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.proc.returncode}; see {self.log}")
            synced = sum(1 for r in self.fake.requests if r.startswith("PUT ") and "/commands" in r)
            return synced > syncs and self.fake.live_sessions() > 0

        await self.fake.wait_for(ready, timeout=60)
        await asyncio.sleep(0.5)  # READY's guild data reaches the bot's cache

    async def ready(self) -> None:
        """Wait until the bot is running again (after a kill, its restart)."""
        await self.fake.wait_for(
            lambda: self.proc is not None
            and self.proc.returncode is None
            and self.fake.live_sessions() > 0,
            timeout=60,
        )

    async def kill(self) -> None:
        """Kill the bot as the kernel would (no clean-up of any kind)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> None:
        """Stop the bot at the end."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                await self.kill()


async def answer_text(handle: Interaction, wait: float = 8.0) -> str:
    """Return all the text a person saw in answer (empty if the bot never answered)."""

    def seen() -> str:
        parts = [everything_text(handle.original), handle.content or ""]
        parts += [everything_text(m) for m in handle.followups]
        return "\n".join(p for p in parts if p)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    try:
        await answered(handle, wait)
    except (TimeoutError, AssertionError):
        return ""
    # A deferred answer ("thinking…") is filled in a moment later.
    while not seen() and handle.modal is None and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return seen()
