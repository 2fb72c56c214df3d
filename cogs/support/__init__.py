"""Peer support: /support, the moderators' queue, reports and safeguarding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.support._cog import SupportCog
from cogs.support._watch import SafeguardingCog

if TYPE_CHECKING:
    from bot.app import ParticipationBot


async def setup(bot: ParticipationBot) -> None:
    """Load the support feature."""
    await bot.add_cog(SupportCog(bot))
    await bot.add_cog(SafeguardingCog(bot))
