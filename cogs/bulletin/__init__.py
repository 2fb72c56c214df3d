"""The monthly bulletin: opportunities, sessions coming up and "you said, we did", once a month."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.bulletin._cog import BulletinCog

if TYPE_CHECKING:
    from bot.app import ParticipationBot


async def setup(bot: ParticipationBot) -> None:
    """Load the bulletin feature."""
    await bot.add_cog(BulletinCog(bot))
