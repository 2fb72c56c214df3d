"""The one base every service builds on: settings, database, clock, audit, claims, wake-ups."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import CursorResult, Select, Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.engine import reading
from bot.db.models import AuditEntry, OutboxItem
from bot.db.upsert import insert_for
from bot.services.access import Actor
from bot.services.errors import Conflict, NotFound
from bot.settings import Settings

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Wake = Callable[[], None]
ERASED = "the person erased their data before it went out"


class _GuildRow(Protocol):
    guild_id: Any


RowT = TypeVar("RowT", bound=_GuildRow)
ViewT = TypeVar("ViewT", bound="DataclassInstance")


def _no_wake() -> None:
    """Do nothing: a service built without a scheduler (in a test) has no one to wake."""


@cache
def _field_names(view: type[DataclassInstance]) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(view))


def view_from(view: type[ViewT], row: Any, **worked_out: Any) -> ViewT:
    """Build a view dataclass: fields the row holds by the same name, plus those worked out."""
    copied = _field_names(view) - worked_out.keys()
    return view(**{name: getattr(row, name) for name in copied}, **worked_out)


async def of_guild(s: AsyncSession, model: type[RowT], row_id: int, guild_id: int) -> RowT | None:
    """Return a row of this server by id, or None (gone, erased, or another server's)."""
    row = await s.get(model, row_id)
    return row if row is not None and row.guild_id == guild_id else None


async def in_guild(
    s: AsyncSession, model: type[RowT], row_id: int, guild_id: int, missing: str
) -> RowT:
    """Return a row of this server by id, or raise NotFound with the message given."""
    row = await of_guild(s, model, row_id, guild_id)
    if row is None:
        raise NotFound(missing)
    return row


async def claim(s: AsyncSession, statement: Update, refusal: str | None = None) -> bool:
    """Run a conditional UPDATE that must change exactly one row.

    The WHERE clause states what must still be true (a status, an unset column), so double
    clicks and two people at once act once. With a refusal, losing raises Conflict with it;
    without, return whether this call won.
    """
    result: CursorResult[Any] = await s.execute(  # type: ignore[assignment]
        statement.execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1
    if not won and refusal is not None:
        raise Conflict(refusal)
    return won


async def changed(s: AsyncSession, statement: Any) -> int:
    """Run an UPDATE, DELETE or INSERT … ON CONFLICT DO NOTHING; return how many rows changed."""
    result: CursorResult[Any] = await s.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount or 0)


async def insert_once(s: AsyncSession, model: Any, unique: list[str], **values: Any) -> bool:
    """Insert a row unless one with the same `unique` columns exists; return whether it was new.

    One atomic INSERT … ON CONFLICT DO NOTHING, so a double click or two people at once add
    one row, and the loser is told (`False`) rather than failing.
    """
    statement = insert_for(s, model).values(**values).on_conflict_do_nothing(index_elements=unique)
    return await changed(s, statement) > 0


def in_key_order(rows: list[dict[str, Any]], unique: list[str]) -> list[dict[str, Any]]:
    """Return many rows sorted by their unique columns, to be written in that order.

    Two transactions writing overlapping rows then lock them in the same order (no deadlock
    between two processes), and the order rows are stored in says nothing about the order in
    which people acted (their keys are random).
    """
    return sorted(rows, key=lambda row: tuple(str(row[name]) for name in unique))


async def insert_new(
    s: AsyncSession, table: Any, unique: list[str], rows: list[dict[str, Any]], *returning: Any
) -> list[Any]:
    """Insert many rows in one statement, skipping those already there; return the new ones.

    The many-row form of `insert_once`: one INSERT … ON CONFLICT DO NOTHING RETURNING, so a
    round of clicks written together learns, row by row, which were new.
    """
    if not rows:
        return []
    statement = insert_for(s, table).on_conflict_do_nothing(index_elements=unique)
    result = await s.execute(statement.returning(*returning), in_key_order(rows, unique))
    return list(result.all())


async def owe_once(
    s: AsyncSession,
    kind: str,
    *key: object,
    guild_id: int,
    payload: dict[str, Any],
    now: datetime,
    member_id: int | None = None,
    due_at: datetime | None = None,
) -> None:
    """Owe, in this transaction, one effect per decision: the kind and `key` name the decision.

    The outbox's dedup key is "kind:key…", with the member's id last when the effect is about
    one member (a DM: one per member), so recording the same decision twice owes it once.
    """
    from bot.services.outbox import owe  # the outbox builds on this module

    parts = [kind, *key] if member_id is None else [kind, *key, member_id]
    await owe(
        s,
        guild_id=guild_id,
        kind=kind,
        payload=payload,
        now=now,
        due_at=due_at,
        dedup_key=":".join(map(str, parts)),
        subject_member_id=member_id,
    )


async def forget_owed(
    s: AsyncSession, feature: str, guild_id: int, member_id: int, now: datetime
) -> None:
    """Stop a feature's deliveries about an erased person that have not gone out yet.

    `feature` is the prefix of its outbox kinds ("sessions" for "sessions.reminder").
    """
    from bot.services.outbox import FAILED, PENDING  # the outbox builds on this module

    await s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.guild_id == guild_id,
            OutboxItem.subject_member_id == member_id,
            OutboxItem.kind.like(f"{feature}.%"),
            OutboxItem.status == PENDING,
        )
        .values(status=FAILED, last_error=ERASED, lease_until=None, done_at=now)
        .execution_options(synchronize_session=False)
    )


class Service:
    """What every service holds: the settings, the database, the clock, and a scheduler wake-up.

    `db` is the database's transaction factory (`async with self.db.begin() as s:`); it is not
    called "sessions" so it is never confused with the group-sessions feature.
    """

    def __init__(
        self,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
        clock: Clock,
        wake: Wake | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self._wake = wake or _no_wake

    def settings_for(self, guild_id: int | None) -> Settings:
        """Return a server's effective settings: the TOML defaults with its own overrides."""
        return self.settings.for_server(guild_id)

    def built_for(self, guild_id: int | None, section: str, build: Callable[[Any], Any]) -> Any:
        """Return `build(section)` of a server's settings, built again only when it changes.

        For what is costly to build from settings (a ladder, compiled crisis patterns); the
        caller names the type it gets.
        """
        part = getattr(self.settings_for(guild_id), section)
        built: dict[tuple[str, int | None], tuple[Any, Any]] = self.__dict__.setdefault(
            "_built_for", {}
        )
        known = built.get((section, guild_id))
        if known is None or known[0] is not part:
            known = (part, build(part))
            built[(section, guild_id)] = known
        return known[1]

    def wake(self) -> None:
        """Tell the scheduler that timed rows were added or changed (after the commit)."""
        self._wake()

    async def server_of(self, model: Any, row_id: int) -> int | None:
        """Return the server a row belongs to (None if it is gone): a DM button names no server."""
        async with reading(self.db) as s:
            found: int | None = await s.scalar(select(model.guild_id).where(model.id == row_id))
            return found

    async def remember(self, model: Any, row_id: int, **values: Any) -> None:
        """Store on a row, in its own transaction, what Discord gave back (where a post went).

        A row gone meanwhile (erased, or deleted) is left gone.
        """
        async with self.db.begin() as s:
            await s.execute(update(model).where(model.id == row_id).values(**values))

    async def earliest(
        self, query: Select[tuple[datetime]] | Select[tuple[datetime | None]]
    ) -> datetime | None:
        """Return the time a `select(func.min(...))` finds: when a due source next falls due."""
        async with reading(self.db) as s:
            first: datetime | None = await s.scalar(query)
            return first

    async def owe(
        self,
        s: AsyncSession,
        *,
        guild_id: int,
        kind: str,
        payload: dict[str, Any],
        dedup_key: str | None = None,
        subject_member_id: int | None = None,
        due_at: Any = None,
    ) -> None:
        """Record in this transaction an effect on Discord the bot owes (see outbox.py).

        Call `self.wake()` after the transaction commits so it goes out at once.
        """
        from bot.services.outbox import owe  # the outbox builds on this module

        await owe(
            s,
            guild_id=guild_id,
            kind=kind,
            payload=payload,
            now=self.clock.now(),
            due_at=due_at,
            dedup_key=dedup_key,
            subject_member_id=subject_member_id,
        )

    async def owe_once(
        self,
        s: AsyncSession,
        kind: str,
        *key: object,
        guild_id: int,
        payload: dict[str, Any],
        member_id: int | None = None,
    ) -> None:
        """Owe an effect once per decision, stamped with this service's clock (see `owe_once`)."""
        await owe_once(
            s,
            kind,
            *key,
            guild_id=guild_id,
            payload=payload,
            now=self.clock.now(),
            member_id=member_id,
        )

    def audit(
        self,
        s: AsyncSession,
        actor: Actor | None,
        action: str,
        *,
        guild_id: int | None = None,
        member_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        """Add an audit entry to the transaction: who did what, to whom, and when (now)."""
        s.add(
            AuditEntry(
                guild_id=guild_id if guild_id is not None else (actor.guild_id if actor else 0),
                actor_user_id=actor.user_id if actor else None,
                action=action,
                member_id=member_id,
                detail=detail,
                at=self.clock.now(),
            )
        )
