"""Finding membership records and the roles that come with membership."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, LevelRole, Member
from bot.services.access import Actor


async def own_record(s: AsyncSession, actor: Actor) -> Member | None:
    """Return the actor's membership record in their server, whatever its status."""
    return await find_record(s, actor.guild_id, actor.user_id)


async def find_record(s: AsyncSession, guild_id: int, user_id: int) -> Member | None:
    """Return someone's membership record in a server, whatever its status."""
    member: Member | None = await s.scalar(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return member


async def member_role_ids(s: AsyncSession, config: GuildConfig) -> list[int]:
    """Return every role membership can give in a server (to take away on leaving)."""
    level_roles = await s.scalars(
        select(LevelRole.role_id).where(LevelRole.guild_id == config.guild_id)
    )
    roles = [config.member_role_id, config.carer_role_id, *level_roles]
    return [r for r in roles if r is not None]
