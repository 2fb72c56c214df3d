"""Sessions, end to end: one facade over small services, each doing one part.

- scheduling: schedule, change and cancel one session or a series   (scheduling.py, rules.py)
- replies: going / maybe / can't, /sessions, who is coming, the .ics  (rsvp.py, calendar.py)
- waitlist: free places go to the earliest waiting                   (waitlist.py)
- attendance, feedback, minutes: after a session                     (attendance.py, ...)
- directory: finding sessions; where Discord shows them              (directory.py)
- due: reminders, quorum alerts and wrap-up prompts                  (due.py, reminder_rows.py)
- owed: what all of that owes Discord, through the outbox              (owed.py, delivering.py)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.base import Service, Wake
from bot.services.sessions.attendance import AttendanceService
from bot.services.sessions.delivering import OwedSessions
from bot.services.sessions.directory import DirectoryService
from bot.services.sessions.due import DueWork
from bot.services.sessions.events import Promotion, QuorumAlert, SessionEnded
from bot.services.sessions.events import SessionReminder as SessionReminderEvent
from bot.services.sessions.feedback import FeedbackService
from bot.services.sessions.minutes import MinutesService
from bot.services.sessions.rsvp import RepliesService
from bot.services.sessions.scheduling import SchedulingService
from bot.services.sessions.waitlist import WaitlistService
from bot.settings import Settings

__all__ = ["SessionReminderEvent", "SessionsService"]
Database = async_sessionmaker[AsyncSession]


class SessionsService(Service):
    """Every sessions action, grouped by part (`.replies.rsvp`); the "sessions" due source."""

    name = "sessions"
    emits: tuple[type, ...] = (SessionReminderEvent, QuorumAlert, SessionEnded, Promotion)

    def __init__(self, settings: Settings, db: Database, clock: Clock, wake: Wake | None = None):
        super().__init__(settings, db, clock, wake)
        parts = (settings, db, clock, wake)
        self.scheduling = SchedulingService(*parts)
        self.replies = RepliesService(*parts)
        self.waitlist = WaitlistService(*parts)
        self.attendance = AttendanceService(*parts)
        self.feedback = FeedbackService(*parts)
        self.minutes = MinutesService(*parts)
        self.directory = DirectoryService(*parts)
        self.due = DueWork(*parts)
        self.owed = OwedSessions(*parts)

    async def next_due(self) -> datetime | None:
        """Return when the next reminder, quorum check or wrap-up falls due."""
        return await self.due.next_due()

    async def take_due(self, now: datetime) -> list[Any]:
        """Claim due reminders, quorum checks and wrap-ups, and release places of leavers."""
        events = await self.due.take_due(now)
        events.extend(await self.waitlist.release_departed(now))
        return events
