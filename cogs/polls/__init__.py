"""Quick polls: create, vote with buttons or a select, close, results with a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.polls._cog import PollsCog

if TYPE_CHECKING:
    from bot.app import ParticipationBot


async def setup(bot: ParticipationBot) -> None:
    """Load the polls feature."""
    await bot.add_cog(PollsCog(bot))
