"""Sign-up, approval, profile and data rights."""

from discord.ext import commands

from cogs.membership._cog import MembershipCog


async def setup(bot: commands.Bot) -> None:
    """Load the membership feature."""
    await bot.add_cog(MembershipCog(bot))  # type: ignore[arg-type]
