"""Which shards this process owns, and the guard that keeps SQLite to one process.

Several processes share one deployment by each owning some of Discord's shards: a server's
events reach the process owning `(guild_id >> 22) % shard_count`. Every process does any
server's timed decisions (closes, reminders, re-raises: conditional claims in the database, so
exactly one process wins each), but a server's outbox deliveries are claimed only by the
process owning its shard, because senders need that server's gateway cache (its roles,
members and channels). See the README's "Several processes".
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Integer, literal
from sqlalchemy.engine import make_url

# A sanity bound: far more shards than any deployment of this bot will need.
MAX_SHARDS = 65_536
_ITEM = re.compile(r"^(\d+)(?:-(\d+))?$")
SEVERAL = "PostgreSQL is the engine for several processes (DATABASE_URL=postgresql+asyncpg://…)"


class ShardError(ValueError):
    """The shard options are wrong; the message says how, in one line."""


@dataclass(frozen=True)
class ShardPlan:
    """The shards this process connects, out of the total every process agrees on."""

    ids: tuple[int, ...]
    count: int

    @property
    def everything(self) -> bool:
        """Tell whether this process owns every shard (no other process is needed)."""
        return len(self.ids) == self.count

    def owns(self, guild_id: int) -> bool:
        """Tell whether a server's events (and its deliveries) belong to this process."""
        return (guild_id >> 22) % self.count in self.ids

    def owned(self, guild_id: Any) -> Any:
        """Return a SQL condition on a guild id column: the server is on one of our shards."""
        shifted = guild_id.op(">>")(literal(22, Integer))  # PostgreSQL has bigint >> int only
        return (shifted % self.count).in_(self.ids)

    @property
    def text(self) -> str:
        """Return the ids as the options write them, e.g. "0-3,6"."""
        return _ranges(self.ids)

    def describe(self) -> str:
        """Return e.g. "shards 0-1 of 4" for logs and messages."""
        return f"shard{'s' if len(self.ids) > 1 else ''} {self.text} of {self.count}"


def _ranges(ids: tuple[int, ...]) -> str:
    parts: list[str] = []
    start = prev = ids[0]
    for n in (*ids[1:], None):
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ",".join(parts)


def parse_count(text: str | int) -> int:
    """Return a shard count from an option or setting, or raise ShardError."""
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_SHARDS:
        raise ShardError(f"shard count {value!r} must be a whole number from 1 to {MAX_SHARDS}")
    return int(value)


def parse_ids(text: str, count: int) -> tuple[int, ...]:
    """Return the shard ids a list like "0-3" or "0,2,5-7" names, or raise ShardError."""
    if not text.strip():
        raise ShardError("the shard list is empty: give shards like 0-3 or 0,2,5-7")
    seen: set[int] = set()
    for item in (part.strip() for part in text.split(",")):
        match = _ITEM.match(item)
        if match is None:
            raise ShardError(f"{item!r} is not a shard or a range of shards like 0-3")
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise ShardError(f"the range {item} runs backwards: write it as {last}-{first}")
        if last >= count:
            raise ShardError(
                f"shard {last} does not exist: with a shard count of {count} shards are "
                f"numbered 0 to {count - 1}"
            )
        for n in range(first, last + 1):
            if n in seen:
                raise ShardError(f"shard {n} is named twice in {text!r}")
            seen.add(n)
    return tuple(sorted(seen))


def plan_for(shards: str | None, shard_count: str | int | None) -> ShardPlan | None:
    """Return the plan the options give, None for one unsharded connection (as without them)."""
    if shard_count is None:
        if shards is not None:
            raise ShardError(
                "--shards needs --shard-count (or SHARD_COUNT): every process must agree on "
                "the total"
            )
        return None
    count = parse_count(shard_count)
    ids = tuple(range(count)) if shards is None else parse_ids(shards, count)
    return ShardPlan(ids, count)


def sqlite_path(url: str) -> Path | None:
    """Return the SQLite file a database URL names, or None (PostgreSQL, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def claim_database(url: str, plan: ShardPlan | None) -> IO[str] | None:
    """Refuse several processes on SQLite; return the lock file to keep open while running.

    SQLite serves one process: a process owning only some shards implies others, and a
    second process on the same file is refused by an exclusive lock beside it (the kernel
    releases it when the process ends, however it ends).
    """
    if make_url(url).get_backend_name() != "sqlite":
        return None
    if plan is not None and not plan.everything:
        raise ShardError(
            f"this process would own only {plan.describe()}, so other processes would share "
            f"the database, but SQLite serves one process: {SEVERAL}"
        )
    path = sqlite_path(url)
    if path is None:
        return None
    import fcntl  # POSIX only; the bot runs on Linux

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = (path.parent / f"{path.name}.lock").open("w", encoding="utf-8")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise ShardError(
            f"another participation-bot process is already using {path}; SQLite serves one "
            f"process: {SEVERAL}"
        ) from None
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock
