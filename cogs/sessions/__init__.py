"""Sessions: scheduling, replies, reminders, attendance, feedback and minutes."""

from discord.ext import commands

from cogs.sessions._cog import SessionsCog


async def setup(bot: commands.Bot) -> None:
    """Load the sessions feature."""
    await bot.add_cog(SessionsCog(bot))  # type: ignore[arg-type]
