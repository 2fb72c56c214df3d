"""Run a FakeDiscord on its own: `python -m bot.sandbox.fakediscord [--port N] [--spec PATH]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from .server import FakeDiscord


async def _serve(port: int, spec: Path | None) -> None:
    fake = FakeDiscord(spec)
    await fake.start(port)
    owner = fake.create_user("Sandbox Owner")
    guild = fake.create_guild("Sandbox", owner)
    fake.create_channel(guild, "general")
    print(f"DISCORD_API_BASE={fake.api_base}")
    print(f"DISCORD_GATEWAY_URL={fake.gateway_url}")
    print(f"guild {guild}, owner {owner}; Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        for violation in fake.violations:
            print("violation:", violation)
        await fake.stop()


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--spec", type=Path, default=None, help="Discord OpenAPI spec to validate with"
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.spec))


if __name__ == "__main__":
    main()
