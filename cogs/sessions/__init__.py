"""Sessions: scheduling, replies, reminders, attendance, feedback and minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.sessions._cog import SessionsCog

if TYPE_CHECKING:
    from bot.app import ParticipationBot


async def setup(bot: ParticipationBot) -> None:
    """Load the sessions feature."""
    await bot.add_cog(SessionsCog(bot))
