"""What the support parts share: finding rows, and the columns a new request starts with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import GuildConfig, Member, SupportRequest
from bot.services.base import in_guild
from bot.settings import Settings

# The database's transaction factory, as bot.services.base.Service takes it.
Db = async_sessionmaker[AsyncSession]
GONE = "That support request no longer exists."


async def load_request(s: AsyncSession, guild_id: int, request_id: int) -> SupportRequest:
    """Return a request of this server, or explain that it is gone."""
    return await in_guild(s, SupportRequest, request_id, guild_id, GONE)


async def member_id_of(s: AsyncSession, guild_id: int, user_id: int) -> int | None:
    """Return the person's member id in this server, if they joined the group."""
    member_id: int | None = await s.scalar(
        select(Member.id).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return member_id


def reraise_interval(settings: Settings) -> timedelta:
    """Return how long an unclaimed request waits before it is raised again."""
    return timedelta(minutes=settings.support.reraise_after_minutes)


def waiting_from(settings: Settings, now: datetime) -> dict[str, Any]:
    """Return the columns of a request opened now: open, never raised, first re-raise due."""
    return {
        "status": "open",
        "created_at": now,
        "raised_interval": 0,
        "next_raise_at": now + reraise_interval(settings),
    }


def where_to_post(config: GuildConfig | None) -> dict[str, int | None]:
    """Return the server's support-queue channel and the moderator role a card may ping."""
    return {
        "queue_channel_id": config.support_queue_channel_id if config else None,
        "moderator_role_id": config.moderator_role_id if config else None,
    }
