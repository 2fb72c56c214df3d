"""What opportunities hold about a member, for /mydata and /forgetme."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Opportunity, OpportunityInterest, OpportunitySelection


class OpportunitiesPersonalData:
    """The opportunities a member said they were interested in, and those they were picked for."""

    section = "opportunities"

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return the member's interest and selections."""
        interest = await session.execute(
            select(Opportunity.title, OpportunityInterest.interested_at)
            .join(Opportunity, Opportunity.id == OpportunityInterest.opportunity_id)
            .where(OpportunityInterest.member_id == member_id)
        )
        chosen = await session.execute(
            select(Opportunity.title, OpportunitySelection.selected_at)
            .join(Opportunity, Opportunity.id == OpportunitySelection.opportunity_id)
            .where(OpportunitySelection.member_id == member_id)
        )
        return {
            "interested_in": [{"title": t, "at": at.isoformat()} for t, at in interest],
            "selected_for": [{"title": t, "at": at.isoformat()} for t, at in chosen],
        }

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Delete the member's interest and selections."""
        for table in (OpportunityInterest, OpportunitySelection):
            await session.execute(delete(table).where(table.member_id == member_id))
