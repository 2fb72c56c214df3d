"""Peer support: /support, the moderators' queue, reports and safeguarding."""

from discord.ext import commands

from cogs.support._cog import SupportCog


async def setup(bot: commands.Bot) -> None:
    """Load the support feature."""
    await bot.add_cog(SupportCog(bot))  # type: ignore[arg-type]
