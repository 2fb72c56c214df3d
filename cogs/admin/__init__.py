"""Server set-up, help and the glossary."""

from discord.ext import commands

from cogs.admin._cog import AdminCog


async def setup(bot: commands.Bot) -> None:
    """Load the admin feature."""
    await bot.add_cog(AdminCog(bot))  # type: ignore[arg-type]
