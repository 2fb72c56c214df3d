"""Server set-up, help and the glossary."""

from bot.app import ParticipationBot
from cogs.admin._cog import AdminCog


async def setup(bot: ParticipationBot) -> None:
    """Load the admin feature."""
    await bot.add_cog(AdminCog(bot))
