"""How each feature takes part in /mydata (export) and /forgetme (erasure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxItem


class PersonalDataProvider(Protocol):
    """A feature that holds personal data about members exports it and erases it."""

    section: str

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return everything this feature holds about the person (JSON-serialisable)."""
        ...

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Delete or anonymise everything this feature holds about the person."""
        ...


def iso(value: datetime | None) -> str | None:
    """Return a time as an export shows it (ISO 8601), or None."""
    return value.isoformat() if value else None


@dataclass
class DiscordTraces:
    """What the bot posted in Discord about a person, to tidy up when they are erased."""

    messages: list[tuple[int, int]] = field(default_factory=list)  # (channel id, message id)
    channels_to_leave: list[int] = field(default_factory=list)  # take the person's access away


async def posts_about(
    s: AsyncSession, guild_id: int, member_id: int, kinds: ColumnElement[bool]
) -> DiscordTraces:
    """Return the bot's posts in this server's channels about a member, of the outbox `kinds`.

    A feature names the kinds of its posts that name a person; the outbox row of each post
    says whom it was about and where it went.
    """
    if not member_id:
        return DiscordTraces()
    rows = await s.execute(
        select(OutboxItem.channel_id, OutboxItem.message_id).where(
            OutboxItem.guild_id == guild_id,
            OutboxItem.subject_member_id == member_id,
            kinds,
            OutboxItem.message_id.is_not(None),
        )
    )
    return DiscordTraces(
        messages=[(int(channel), int(message)) for channel, message in rows if channel]
    )


async def collect_traces(
    providers: list[PersonalDataProvider],
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    member_id: int,
) -> DiscordTraces:
    """Ask every provider that knows of Discord messages about the person (before erasing)."""
    traces = DiscordTraces()
    for provider in providers:
        finder = getattr(provider, "discord_traces", None)
        if finder is None:
            continue
        found: DiscordTraces = await finder(session, guild_id, user_id, member_id)
        traces.messages += found.messages
        traces.channels_to_leave += found.channels_to_leave
    return traces
