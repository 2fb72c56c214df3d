"""What every engagement service shares: the ladder, finding a member or a row, and who may act."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Update, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Member
from bot.services.access import Actor
from bot.services.base import RowT, Service, claim, of_guild

# Re-exported: the engagement parts find their rows through this module.
from bot.services.base import in_guild as in_guild
from bot.services.engagement.ladder import Ladder
from bot.services.errors import Conflict, NotAllowed, NotFound

if TYPE_CHECKING:
    pass

ACTIVE = frozenset({"approved", "paused"})


class _MemberRow(Protocol):
    guild_id: Any
    member_id: Any


OwnedT = TypeVar("OwnedT", bound=_MemberRow)


class LadderService(Service):
    """A service that knows the configured level ladder."""

    @cached_property
    def ladder(self) -> Ladder:
        """Return the levels, their requirements and the training modules, from the settings."""
        return Ladder(self.settings)

    def ladder_for(self, guild_id: int | None) -> Ladder:
        """Return a server's ladder: its own levels and rates, or the deployment's."""
        ladder: Ladder = self.built_for(
            guild_id, "ladder", lambda _: Ladder(self.settings_for(guild_id))
        )
        return ladder


async def member_by_user(s: AsyncSession, guild_id: int, user_id: int) -> Member | None:
    """Return the member record of a Discord user in a server, whatever its status."""
    member: Member | None = await s.scalar(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return member


async def find_member(
    s: AsyncSession, guild_id: int, user_id: int, *, active: bool = True
) -> Member:
    """Return a member by Discord user (approved or paused, unless any status will do)."""
    member = await member_by_user(s, guild_id, user_id)
    if member is None or (active and member.status not in ACTIVE):
        raise NotFound("That person is not a member of the group.")
    return member


async def rows_where(
    s: AsyncSession,
    column: InstrumentedAttribute[Any],
    value: int,
    *order: Any,
    limit: int | None = None,
) -> list[Any]:
    """Return the rows whose column holds this value (a member's, say), in the order given."""
    query = select(column.class_).where(column == value).order_by(*order).limit(limit)
    return list(await s.scalars(query))


async def waiting_rows(
    s: AsyncSession, model: Any, guild_id: int, statuses: tuple[str, ...], *order: Any, limit: int
) -> list[tuple[Any, Member | None]]:
    """Return a server's rows in these states with their members (None once erased), in order."""
    rows = await s.execute(
        select(model, Member)
        .outerjoin(Member, Member.id == model.member_id)
        .where(model.guild_id == guild_id, model.status.in_(statuses))
        .order_by(*order, model.id)
        .limit(limit)
    )
    return [(row, member) for row, member in rows]


async def owner(s: AsyncSession, member_id: int | None) -> Member | None:
    """Return the member a row belongs to (None once they erased their data)."""
    return await s.get(Member, member_id) if member_id else None


async def with_owner(
    s: AsyncSession, model: type[OwnedT], row_id: int, guild_id: int
) -> tuple[OwnedT, Member] | None:
    """Return a row of this server and the member it is about, or None if either is gone."""
    row = await of_guild(s, model, row_id, guild_id)
    member = await owner(s, row.member_id) if row is not None else None
    return (row, member) if row is not None and member is not None else None


def who(member: Member) -> dict[str, Any]:
    """Return the member fields every event and view carries: record id, Discord id, name."""
    return {
        "member_id": member.id,
        "user_id": member.user_id,
        "preferred_name": member.preferred_name,
    }


def not_own(member: Member | None, actor: Actor, refusal: str) -> None:
    """Refuse a worker acting on their own record: another worker must do it."""
    if member is not None and member.user_id == actor.user_id:
        raise NotAllowed(refusal)


async def claim_and_reload(
    s: AsyncSession, row: RowT, statement: Update, refusal: Callable[[RowT], str]
) -> None:
    """Claim a loaded row by a conditional UPDATE and reload it; losing says where it stands."""
    won = await claim(s, statement)
    await s.refresh(row)
    if not won:
        raise Conflict(refusal(row))
