"""The command line: run, sandbox, db upgrade, check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.logs import configure_logging
from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("participation_bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="participation-bot",
        description="A Discord bot that runs youth mental-health participation groups.",
    )
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=None,
        help="folder of TOML settings (default: the project's config/)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="connect to Discord with DISCORD_TOKEN")
    sandbox = sub.add_parser("sandbox", help="play the demo against the local Discord stand-in")
    sandbox.add_argument(
        "--out",
        type=Path,
        default=Path("sandbox-output"),
        help="folder for the transcript and the HTML report",
    )
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("check", help="check the settings and print a summary")
    return parser


async def _run(settings: Settings) -> int:
    from bot.runtime import build_runtime

    if settings.discord_token is None:
        print(
            "participation-bot: DISCORD_TOKEN is not set (use `participation-bot sandbox` "
            "to try it without Discord)",
            file=sys.stderr,
        )
        return 2
    runtime = await build_runtime(settings)
    try:
        await runtime.bot.start(settings.discord_token.get_secret_value())
    finally:
        await runtime.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it; bad settings exit 2 with one clear line."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config_dir)
    except ConfigError as exc:
        print(f"participation-bot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "check":
        levels = ", ".join(level.name for level in settings.ladder.levels)
        print(
            f"settings OK: time zone {settings.timezone}; levels: {levels}; "
            f"{len(settings.glossary)} glossary terms; token "
            f"{'set' if settings.discord_token else 'not set'}"
        )
        return 0
    if args.command == "db":
        from bot.db.migrate import upgrade_sync

        upgrade_sync(settings.database_url.get_secret_value())
        print("database upgraded")
        return 0
    if args.command == "sandbox":
        from bot.sandbox.demo import run_demo

        return asyncio.run(run_demo(settings, args.out))
    try:
        return asyncio.run(_run(settings))
    except KeyboardInterrupt:
        return 0
