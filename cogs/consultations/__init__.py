"""Consultations: drafting, co-production, answering, results and "you said, we did"."""

from discord.ext import commands

from cogs.consultations._cog import ConsultationsCog


async def setup(bot: commands.Bot) -> None:
    """Load the consultations feature."""
    await bot.add_cog(ConsultationsCog(bot))  # type: ignore[arg-type]
