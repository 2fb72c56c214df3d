"""/settings: each server's own settings over the deployment's defaults."""

from bot.app import ParticipationBot
from cogs.settings._cog import SettingsCog


async def setup(bot: ParticipationBot) -> None:
    """Load the settings feature."""
    await bot.add_cog(SettingsCog(bot))
