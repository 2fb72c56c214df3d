"""The outbox: what the bot owes Discord, written with the decision and delivered at least once.

A service that decides something people must be told (a reminder, a result, a card, a role)
calls `owe(...)` inside the same transaction as the decision, so the two commit together or
not at all. The scheduler claims due rows here with a lease and hands each to the Discord side
as a `Delivery`; only when Discord confirmed it is the row marked done. A 5xx, 429 or network
error puts it back with back-off (a retried post carries the same nonce, so Discord shows it
once); a permanent refusal is recorded with its reason. A process that dies mid-delivery loses
nothing: its lease runs out and the row is claimed again. With several processes, a server's
rows are claimed only by the process owning its shard (see bot/shards.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import reading
from bot.db.group_commit import GroupCommit
from bot.db.models import OutboxItem
from bot.db.upsert import insert_for
from bot.services.base import Service
from bot.settings import Settings
from bot.shards import plan_for

LEASE = timedelta(minutes=2)
BATCH = 200
# Back-off after the n-th failed attempt: 5 s, 10 s, 20 s, ... capped at an hour.
FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 3600.0
# About a day of trying before a transient failure counts as undeliverable.
MAX_ATTEMPTS = 30
PENDING, DONE, FAILED = "pending", "done", "failed"
# A row to close and what to record on it (status, and where the message went or why not).
Finished = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Delivery:
    """One owed effect, claimed for delivery now (the scheduler's event)."""

    id: int
    guild_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    subject_member_id: int | None

    @property
    def lane(self) -> tuple[int, int | None]:
        """Return what must go out in the order owed: one person's deliveries, or a server's.

        Deliveries about a member (DMs, their role, posts about them) keep their order; those
        about no one (cards, results, channel posts) keep theirs per server. Different lanes
        go out side by side (see bot/scheduler.py).
        """
        return (self.guild_id, self.subject_member_id)

    @property
    def nonce(self) -> str:
        """Return the nonce that makes a retried post appear once (Discord's enforce_nonce)."""
        return f"outbox-{self.id}"


@dataclass(frozen=True)
class Undelivered:
    """A delivery Discord refused for good, for staff to see."""

    id: int
    kind: str
    reason: str
    subject_member_id: int | None
    at: datetime | None


async def owe(
    s: AsyncSession,
    *,
    guild_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
    dedup_key: str | None = None,
    subject_member_id: int | None = None,
) -> None:
    """Record, in the caller's transaction, an effect on Discord the bot now owes.

    With a dedup_key, recording the same decision twice owes it once.
    """
    statement = insert_for(s, OutboxItem).values(
        guild_id=guild_id,
        kind=kind,
        payload=payload,
        dedup_key=dedup_key,
        subject_member_id=subject_member_id,
        status=PENDING,
        due_at=due_at or now,
        attempts=0,
        created_at=now,
    )
    if dedup_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
    await s.execute(statement)


def _claimable(now: datetime) -> Any:
    return and_(
        OutboxItem.status == PENDING,
        OutboxItem.due_at <= now,
        or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until <= now),
    )


def _ours(settings: Settings) -> Any:
    """Return the condition for rows this process delivers: its shards' servers (or all).

    A sender needs its server's gateway cache (roles, members, channels), which only the
    process owning the server's shard holds; every other process leaves the row alone.
    """
    plan = plan_for(settings.shards, settings.shard_count)
    return true() if plan is None or plan.everything else plan.owned(OutboxItem.guild_id)


class OutboxService(Service):
    """Claim what is owed, and record what Discord did with it."""

    name = "outbox"
    emits: tuple[type, ...] = (Delivery,)

    def __init__(self, *parts: Any, **named: Any) -> None:
        super().__init__(*parts, **named)
        self._finishing: GroupCommit[Finished, None] = GroupCommit(
            self._finish_together, None, lambda row: row[0]
        )

    async def next_due(self) -> datetime | None:
        """Return when the next pending row can be claimed (its due time or lease end)."""
        async with reading(self.db) as s:
            due = await s.scalar(
                select(func.min(func.coalesce(OutboxItem.lease_until, OutboxItem.due_at))).where(
                    OutboxItem.status == PENDING, _ours(self.settings)
                )
            )
        return due if isinstance(due, datetime) else None

    async def take_due(self, now: datetime) -> list[Delivery]:
        """Lease every row due now (exactly one process wins each) and return them."""
        async with self.db.begin() as s:
            wanted = (
                select(OutboxItem.id)
                .where(_claimable(now), _ours(self.settings))
                .order_by(OutboxItem.due_at, OutboxItem.id)
            )
            if s.get_bind().dialect.name == "postgresql":
                wanted = wanted.with_for_update(skip_locked=True)
            ids = list(await s.scalars(wanted.limit(BATCH)))
            if not ids:
                return []
            rows = await s.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids), _claimable(now))
                .values(lease_until=now + LEASE, attempts=OutboxItem.attempts + 1)
                .returning(
                    OutboxItem.id,
                    OutboxItem.guild_id,
                    OutboxItem.kind,
                    OutboxItem.payload,
                    OutboxItem.attempts,
                    OutboxItem.subject_member_id,
                )
            )
            claimed = [Delivery(*row) for row in rows]
        return sorted(claimed, key=lambda d: ids.index(d.id))

    async def delivered(
        self, item_id: int, *, channel_id: int | None = None, message_id: int | None = None
    ) -> None:
        """Mark a row done once Discord confirmed it, remembering where the message is."""
        await self._finish(
            item_id, status=DONE, last_error=None, channel_id=channel_id, message_id=message_id
        )

    async def release(self, deliveries: list[Delivery]) -> None:
        """Give back rows claimed but never tried (a shutdown): claimable again at once."""
        if not deliveries:
            return
        async with self.db.begin() as s:
            await s.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id.in_([d.id for d in deliveries]),
                    OutboxItem.status == PENDING,
                    OutboxItem.lease_until.is_not(None),
                )
                .values(lease_until=None, attempts=OutboxItem.attempts - 1)
            )

    async def _finish(self, item_id: int, **values: Any) -> None:
        """Close a still-pending row (done or failed) and release its lease.

        Deliveries finish side by side; the rows finishing together are closed in one
        transaction (bot/db/group_commit.py). This returns once that has committed.
        """
        await self._finishing.submit((item_id, values))

    async def _finish_together(self, rows: Sequence[Finished]) -> list[None]:
        """Close a round of rows in one transaction, one statement per shape of values."""
        now = self.clock.now()
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for item_id, values in rows:
            shapes.setdefault(tuple(sorted(values)), []).append({"row": item_id, **values})
        table: Any = OutboxItem.__table__
        async with self.db.begin() as s:
            for names, params in shapes.items():
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("row"), table.c.status == PENDING)
                    .values(lease_until=None, done_at=now, **{n: bindparam(n) for n in names})
                )
                await s.execute(statement, params)
        return [None for _ in rows]

    async def retry_later(self, item_id: int, error: str) -> bool:
        """Put a row back after a transient failure; return False once it is given up."""
        now = self.clock.now()
        async with self.db.begin() as s:
            row = await s.get(OutboxItem, item_id)
            if row is None or row.status != PENDING:
                return False
            if row.attempts >= MAX_ATTEMPTS:
                row.status, row.lease_until = FAILED, None
                row.last_error = f"gave up after {row.attempts} attempts: {error}"[:200]
                row.done_at = now
                return False
            wait = min(FIRST_RETRY_SECONDS * 2 ** max(row.attempts - 1, 0), MAX_RETRY_SECONDS)
            row.due_at = now + timedelta(seconds=wait)
            row.lease_until = None
            row.last_error = error[:200]
        self.wake()
        return True

    async def undeliverable(self, item_id: int, reason: str) -> None:
        """Record that Discord refused a row for good, and why."""
        await self._finish(item_id, status=FAILED, last_error=reason[:200])

    async def failures(self, guild_id: int, since: datetime | None = None) -> list[Undelivered]:
        """List what could not be delivered in a server (newest first), for staff."""
        async with self.db.begin() as s:
            query = select(OutboxItem).where(
                OutboxItem.guild_id == guild_id, OutboxItem.status == FAILED
            )
            if since is not None:
                query = query.where(OutboxItem.done_at >= since)
            rows = await s.scalars(query.order_by(OutboxItem.id.desc()).limit(100))
            return [
                Undelivered(r.id, r.kind, r.last_error or "", r.subject_member_id, r.done_at)
                for r in rows
            ]

    async def counts(self) -> dict[str, int]:
        """Count rows by status (for the soak test and for health figures)."""
        async with self.db.begin() as s:
            rows = await s.execute(
                select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
            )
            return {status: int(n) for status, n in rows}
