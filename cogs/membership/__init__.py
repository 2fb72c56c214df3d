"""Sign-up, approval, profile and data rights."""

from bot.app import ParticipationBot
from cogs.membership._cog import MembershipCog


async def setup(bot: ParticipationBot) -> None:
    """Load the membership feature."""
    await bot.add_cog(MembershipCog(bot))
