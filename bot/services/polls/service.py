"""Quick polls: the one facade over the parts, and the DueSource for closes and reminders.

- drafting: create, post, edit, list, discard           (drafting.py, rules.py)
- voting: cast or change a ballot, see your own choice  (voting.py, ballots.py)
- counting: results, turnout, named votes               (results.py, charts.py)
- closing: on time or early, exactly once               (closing.py)
- reminders: the one reminder DM                        (reminders.py)
- owed: what the close and the reminder owe Discord      (owed.py, through the outbox)
records.py holds the poll as shown and the lookups every part shares.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.base import Service, Wake
from bot.services.polls.closing import PollClosed, PollClosing
from bot.services.polls.drafting import PollDrafting
from bot.services.polls.owed import OwedPolls
from bot.services.polls.reminders import PollReminder, PollReminders
from bot.services.polls.results import PollCounting
from bot.services.polls.voting import PollVoting
from bot.settings import Settings

Database = async_sessionmaker[AsyncSession]


class PollsService(Service):
    """Everything about quick polls; each action is one part's method, named the same."""

    name = "polls"
    emits: tuple[type, ...] = (PollClosed, PollReminder)

    def __init__(self, settings: Settings, db: Database, clock: Clock, wake: Wake | None = None):
        super().__init__(settings, db, clock, wake)
        bind = db.kw.get("bind")
        # SQLite allows one writer; waiting writers poll with growing sleeps and can starve
        # for seconds under a burst of votes. Queue them here instead, first come first served.
        self._writers = (
            asyncio.Lock() if bind is not None and bind.dialect.name == "sqlite" else None
        )
        parts = (settings, db, clock, wake)
        self.drafting = PollDrafting(*parts)
        self.voting = PollVoting(*parts)
        self.voting.writers = self._writers
        self.counting = PollCounting(*parts)
        self.closing = PollClosing(*parts)
        self.reminders = PollReminders(*parts)
        self.owed = OwedPolls(*parts)

        self.create = self.drafting.create
        self.set_message = self.drafting.set_message
        self.get = self.drafting.get
        self.recent = self.drafting.recent
        self.discard = self.drafting.discard
        self.is_waiting = self.drafting.is_waiting
        self.open_polls = self.drafting.open_polls
        self.edit = self.drafting.edit
        self.vote = self.voting.vote
        self.my_choices = self.voting.my_choices
        self.results = self.counting.results
        self.turnout = self.counting.turnout
        self.named_votes = self.counting.named_votes
        self.audience_count = self.counting.audience_count
        self.close = self.closing.close

    async def next_due(self) -> datetime | None:
        """Return the earliest close or reminder still to happen."""
        times = (await self.closing.next_close(), await self.reminders.next_reminder())
        due = [t for t in times if t is not None]
        return min(due) if due else None

    async def take_due(self, now: datetime) -> list[PollClosed | PollReminder]:
        """Close every poll whose time has come, then claim due reminders; once each."""
        events: list[PollClosed | PollReminder] = []
        events += await self.closing.take_closes(now)
        events += await self.reminders.take_reminders(now)
        return events
