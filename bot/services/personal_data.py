"""How each feature takes part in /mydata (export) and /forgetme (erasure)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


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
