"""The command line: run, sandbox, db upgrade, check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.logs import configure_logging
from bot.settings import ConfigError, Settings, load_settings
from bot.shards import ShardError, claim_database, plan_for

log = logging.getLogger("participation_bot")
# Discord's gateway closes a shard it will not serve; every process must use one shard count.
SHARD_REFUSALS = {
    4010: "Discord refused a shard (4010 Invalid shard): check --shards and --shard-count, "
    "which must be the same in every process",
    4011: "Discord says the bot needs more shards (4011 Sharding required): raise "
    "--shard-count, the same in every process",
}


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
    run = sub.add_parser("run", help="connect to Discord with DISCORD_TOKEN")
    run.add_argument(
        "--shards", help="the shards this process connects, e.g. 0-3 or 0,2,5-7 (env SHARDS)"
    )
    run.add_argument(
        "--shard-count", help="how many shards all processes share, e.g. 8 (env SHARD_COUNT)"
    )
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


def _sharded(settings: Settings, args: argparse.Namespace) -> Settings:
    """Return the settings with the shards this process owns (flags beat the environment)."""
    shards = args.shards if args.shards is not None else settings.shards
    count = args.shard_count if args.shard_count is not None else settings.shard_count
    plan = plan_for(shards, count)
    if plan is None:
        return settings
    return settings.model_copy(update={"shards": plan.text, "shard_count": plan.count})


async def _run(settings: Settings) -> int:
    from bot.runtime import build_runtime

    if settings.discord_token is None:
        print(
            "participation-bot: DISCORD_TOKEN is not set (use `participation-bot sandbox` "
            "to try it without Discord)",
            file=sys.stderr,
        )
        return 2
    try:
        plan = plan_for(settings.shards, settings.shard_count)
        # Held open while the bot runs: a second process on the same SQLite file is refused.
        lock = claim_database(settings.database_url.get_secret_value(), plan)
    except ShardError as exc:
        print(f"participation-bot: {exc}", file=sys.stderr)
        return 2
    if plan is not None:
        log.info("this process serves %s", plan.describe())
    runtime = await build_runtime(settings)
    try:
        await runtime.bot.start(settings.discord_token.get_secret_value())
    except Exception as exc:
        code = getattr(exc, "code", None)
        refusal = SHARD_REFUSALS.get(code) if isinstance(code, int) else None
        if refusal is None:
            raise
        print(f"participation-bot: {refusal}", file=sys.stderr)
        return 2
    finally:
        await runtime.close()
        if lock is not None:
            lock.close()
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
        settings = _sharded(settings, args)
    except ShardError as exc:
        print(f"participation-bot: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(settings))
    except KeyboardInterrupt:
        return 0
