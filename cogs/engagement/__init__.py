"""Engagement: progress, levels, contributions, training, mentoring, payments and expenses."""

from discord.ext import commands

from cogs.engagement._money import EngagementRecordsCog
from cogs.engagement._progress import EngagementCog


async def setup(bot: commands.Bot) -> None:
    """Load the engagement feature."""
    await bot.add_cog(EngagementCog(bot))  # type: ignore[arg-type]
    await bot.add_cog(EngagementRecordsCog(bot))  # type: ignore[arg-type]
