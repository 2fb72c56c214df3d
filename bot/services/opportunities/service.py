"""Opportunities: the one facade over the parts, and the DueSource that closes them on time.

- posting: post (through the outbox), list the open ones                    (posting.py)
- closing: close each on its date, owing the redraw and the workers' note    (closing.py)
- interest: "I'm interested", take it back, who is interested, select        (interest.py)
rules.py says what an opportunity must state before it is posted; records.py how it is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.base import Service, Wake
from bot.services.opportunities.closing import OpportunityClosed, OpportunityClosing
from bot.services.opportunities.interest import OpportunityInterestService
from bot.services.opportunities.posting import OpportunityPosting
from bot.settings import Settings

Database = async_sessionmaker[AsyncSession]


class OpportunitiesService(Service):
    """Everything about opportunities; each action is one part's method, named the same."""

    name = "opportunities"
    emits: tuple[type, ...] = (OpportunityClosed,)

    def __init__(self, settings: Settings, db: Database, clock: Clock, wake: Wake | None = None):
        super().__init__(settings, db, clock, wake)
        parts = (settings, db, clock, wake)
        self.posting = OpportunityPosting(*parts)
        self.interests = OpportunityInterestService(*parts)
        self.closing = OpportunityClosing(*parts)

        self.post = self.posting.post
        self.get = self.posting.get
        self.open_for = self.posting.open_for
        self.recent = self.posting.recent
        self.for_delivery = self.posting.for_delivery
        self.interest = self.interests.interest
        self.withdraw = self.interests.withdraw
        self.interested = self.interests.interested
        self.select = self.interests.select
        self.selected_dm = self.interests.selected_dm

    async def next_due(self) -> datetime | None:
        """Return when the next open opportunity closes."""
        return await self.closing.next_close()

    async def take_due(self, now: datetime) -> list[OpportunityClosed]:
        """Close every opportunity whose date has come, once each."""
        return await self.closing.take_closes(now)
