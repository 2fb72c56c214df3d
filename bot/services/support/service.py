"""Support: one facade over the parts, each a small service of its own.

- requests: /support, remembering the card and private space, the queue   (requests.py)
- flags: crisis words in messages, and members reporting a message        (flags.py,
  safeguarding.py holds the crisis-word matcher)
- staff: claim, escalate, resolve                                          (staff.py)
- reraise: raising unclaimed requests again (the facade is the DueSource)  (reraise.py)
- personal_data: /mydata and /forgetme (the facade is the provider)       (personal_data.py)
- figures: anonymous counts and response times for reports                (stats.py)
- owed: what the Discord side reads while delivering cards and notes       (owed.py)
- spaces: the channel of private-thread spaces; Discord's limits          (spaces.py)
- watch: how far safeguarding has read each channel (catch-up)            (watch.py)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.base import Wake
from bot.services.personal_data import DiscordTraces
from bot.services.support.flags import SupportFlags
from bot.services.support.owed import SupportOwed
from bot.services.support.personal_data import SupportPersonalData
from bot.services.support.records import SupportRaised
from bot.services.support.requests import SupportRequests
from bot.services.support.reraise import SupportReraise
from bot.services.support.rows import Db
from bot.services.support.spaces import SupportSpaces
from bot.services.support.staff import SupportStaff
from bot.services.support.stats import SupportFigures
from bot.services.support.watch import SupportWatch
from bot.settings import Settings


class SupportService:
    """Every support action, grouped by part; cogs call e.g. `.staff.claim`.

    The facade itself is the scheduler's "support" source and the /mydata provider, so the
    services container lists and registers one object.
    """

    name = "support"
    # Re-raises are owed to the outbox as they are claimed: nothing is handed to the scheduler.
    emits: tuple[type, ...] = ()
    section = SupportPersonalData.section

    def __init__(self, settings: Settings, db: Db, clock: Clock, wake: Wake | None = None) -> None:
        self.flags = SupportFlags(settings, db, clock, wake)
        self.requests = SupportRequests(settings, db, clock, wake, self.flags.check)
        self.staff = SupportStaff(settings, db, clock, wake)
        self.reraise = SupportReraise(settings, db, clock, wake)
        self.personal_data = SupportPersonalData(settings, db, clock, wake)
        self.figures = SupportFigures(settings, db, clock, wake)
        self.owed = SupportOwed(settings, db, clock, wake)
        self.spaces = SupportSpaces(settings, db, clock, wake)
        self.watch = SupportWatch(settings, db, clock, wake)

    async def next_due(self) -> datetime | None:
        """Return when the next unclaimed request should be raised again."""
        return await self.reraise.next_due()

    async def take_due(self, now: datetime) -> list[SupportRaised]:
        """Claim every overdue re-raise and owe its post (nothing is left for the scheduler)."""
        await self.reraise.take_due(now)
        return []

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return the person's support records for /mydata."""
        return await self.personal_data.export(session, guild_id, user_id, member_id)

    async def discord_traces(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> DiscordTraces:
        """Return the person's queue cards and private spaces (read before erasing)."""
        return await self.personal_data.discord_traces(session, guild_id, user_id, member_id)

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Unlink the person from their support records for /forgetme."""
        await self.personal_data.erase(session, guild_id, user_id, member_id)
