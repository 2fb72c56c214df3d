"""Consultations: drafting, co-production, answering, results and "you said, we did"."""

from bot.app import ParticipationBot
from cogs.consultations._cog import ConsultationsCog


async def setup(bot: ParticipationBot) -> None:
    """Load the consultations feature."""
    await bot.add_cog(ConsultationsCog(bot))
