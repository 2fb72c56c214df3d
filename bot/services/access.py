"""Who is acting, and the permission checks every service applies itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, Member
from bot.services.errors import NotAllowed

NOT_SET_UP = "This server has not been set up yet. A server admin can run /setup."


@dataclass(frozen=True)
class Actor:
    """The person behind an action: their Discord id, server, roles and admin right."""

    user_id: int
    guild_id: int
    role_ids: frozenset[int] = field(default_factory=frozenset)
    is_admin: bool = False


async def guild_config(session: AsyncSession, guild_id: int) -> GuildConfig:
    """Return the server's configuration or explain that /setup is needed."""
    config = await session.get(GuildConfig, guild_id)
    if config is None:
        raise NotAllowed(NOT_SET_UP)
    return config


def is_worker(config: GuildConfig, actor: Actor) -> bool:
    """Tell whether the actor is a participation worker (or a server admin)."""
    return actor.is_admin or (
        config.worker_role_id is not None and config.worker_role_id in actor.role_ids
    )


def is_moderator(config: GuildConfig, actor: Actor) -> bool:
    """Tell whether the actor may work the support queue (moderators, safeguarding, workers)."""
    staff_roles = {config.moderator_role_id, config.safeguarding_role_id, config.worker_role_id}
    staff_roles.discard(None)
    return actor.is_admin or bool(staff_roles & actor.role_ids)


async def require_worker(session: AsyncSession, actor: Actor) -> GuildConfig:
    """Return the guild config if the actor is a worker, else refuse."""
    config = await guild_config(session, actor.guild_id)
    if not is_worker(config, actor):
        raise NotAllowed("Only participation workers can do that.")
    return config


async def require_moderator(session: AsyncSession, actor: Actor) -> GuildConfig:
    """Return the guild config if the actor is on the moderation team, else refuse."""
    config = await guild_config(session, actor.guild_id)
    if not is_moderator(config, actor):
        raise NotAllowed("Only moderators can do that.")
    return config


async def require_member(
    session: AsyncSession, actor: Actor, *, allow_paused: bool = True
) -> Member:
    """Return the actor's approved membership, or explain what stands in the way."""
    await guild_config(session, actor.guild_id)
    member = await session.scalar(
        select(Member).where(Member.guild_id == actor.guild_id, Member.user_id == actor.user_id)
    )
    if member is None or member.status in {"left"}:
        raise NotAllowed("You need to join the group first: use /join to sign up.")
    if member.status == "pending":
        raise NotAllowed("Your sign-up is still waiting for a worker to approve it.")
    if member.status == "declined":
        raise NotAllowed("Your sign-up was not approved, so this is not available to you.")
    if member.status == "paused" and not allow_paused:
        raise NotAllowed("You are on a break. Use /resume when you want to take part again.")
    return member


@dataclass(frozen=True)
class MemberRow:
    """The columns of a membership that deciding on a click needs (no ORM object)."""

    id: int
    status: str
    locality: str
    level_key: str | None


async def members_acting(
    session: AsyncSession, actors: Iterable[Actor]
) -> dict[tuple[int, int], MemberRow]:
    """Return the memberships of many actors at once, by (server, user): one query per round."""
    actors = list(actors)
    rows = await session.execute(
        select(
            Member.guild_id,
            Member.user_id,
            Member.id,
            Member.status,
            Member.locality,
            Member.level_key,
        ).where(
            Member.guild_id.in_({a.guild_id for a in actors}),
            Member.user_id.in_({a.user_id for a in actors}),
        )
    )
    return {(r[0], r[1]): MemberRow(r[2], r[3], r[4], r[5]) for r in rows}
