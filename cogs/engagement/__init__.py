"""Engagement: progress, levels, contributions, training, mentoring, payments and expenses."""

from bot.app import ParticipationBot
from cogs.engagement._money import EngagementRecordsCog
from cogs.engagement._progress import EngagementCog


async def setup(bot: ParticipationBot) -> None:
    """Load the engagement feature."""
    await bot.add_cog(EngagementCog(bot))
    await bot.add_cog(EngagementRecordsCog(bot))
