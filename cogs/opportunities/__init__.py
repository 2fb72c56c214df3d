"""Opportunities: post with pay stated up front, "I'm interested", select, close on the date."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.opportunities._cog import OpportunitiesCog

if TYPE_CHECKING:
    from bot.app import ParticipationBot


async def setup(bot: ParticipationBot) -> None:
    """Load the opportunities feature."""
    await bot.add_cog(OpportunitiesCog(bot))
