"""Workers' reports: /report for a period, with charts, CSV files and one HTML page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.reports._cog import ReportsCog

if TYPE_CHECKING:
    from bot.app import ParticipationBot


async def setup(bot: ParticipationBot) -> None:
    """Load the reports feature."""
    await bot.add_cog(ReportsCog(bot))
