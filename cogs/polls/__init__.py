"""Quick polls: create, vote with buttons or a select, close, results with a chart."""

from discord.ext import commands

from cogs.polls._cog import PollsCog


async def setup(bot: commands.Bot) -> None:
    """Load the polls feature."""
    await bot.add_cog(PollsCog(bot))  # type: ignore[arg-type]
