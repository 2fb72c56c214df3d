"""What polls owe Discord: the closed poll's message, its results, and the one reminder DM.

Each is written to the outbox in the transaction that decides it (the close, the reminder
claim) and delivered by the polls cog's senders, so a Discord failure or a restart between the
decision and the post delays it but never loses or doubles it. Payloads hold ids only: a sender
reads the poll when it sends (the results of a closed poll never change), and a reminder names
its member only through `subject_member_id`, which erasure clears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Poll
from bot.services.base import ERASED, Service, owe_once
from bot.services.polls.ballots import keys_voted, voter_key
from bot.services.polls.records import PollView, find_poll, poll_view
from bot.services.polls.results import PollResults, results_of

RESULTS = "polls.results"
CLOSED_MESSAGE = "polls.closed_message"
REMINDER = "polls.reminder"


async def owe_close(s: AsyncSession, poll: Poll, now: datetime, *, late: bool) -> None:
    """Owe, in the closing transaction, the poll message marked closed and the results post."""
    guild_id = poll.guild_id
    await owe_once(
        s, CLOSED_MESSAGE, poll.id, guild_id=guild_id, payload={"poll_id": poll.id}, now=now
    )
    await owe_once(
        s, RESULTS, poll.id, guild_id=guild_id, payload={"poll_id": poll.id, "late": late}, now=now
    )


async def owe_reminder(s: AsyncSession, poll: Poll, member_id: int, now: datetime) -> None:
    """Owe one member the poll's one reminder DM (once per poll and member)."""
    await owe_once(
        s,
        REMINDER,
        poll.id,
        guild_id=poll.guild_id,
        payload={"poll_id": poll.id},
        now=now,
        member_id=member_id,
    )


@dataclass(frozen=True)
class ReminderDM:
    """A reminder as it stands when it is sent: to whom, or why it is no longer owed."""

    poll: PollView
    user_id: int | None
    skip: str | None = None


class OwedPolls(Service):
    """What the polls senders read while delivering."""

    async def closed_results(self, guild_id: int, poll_id: int) -> PollResults:
        """Return the stored results of a closed poll (they no longer change)."""
        async with self.db.begin() as s:
            return await results_of(s, await find_poll(s, guild_id, poll_id))

    async def poll(self, guild_id: int, poll_id: int) -> PollView:
        """Return a poll as it stands now, to redraw its message."""
        async with self.db.begin() as s:
            return poll_view(await find_poll(s, guild_id, poll_id))

    async def reminder(self, guild_id: int, poll_id: int, member_id: int | None) -> ReminderDM:
        """Return the reminder to send now, or why it is no longer owed."""
        async with self.db.begin() as s:
            poll = await find_poll(s, guild_id, poll_id)
            view = poll_view(poll)
            member = await s.get(Member, member_id) if member_id is not None else None
            if member is None or member.guild_id != guild_id:
                return ReminderDM(view, None, ERASED)
            if poll.closed_at is not None or poll.ballot_secret is None:
                return ReminderDM(view, None, "the poll closed before the reminder went out")
            if member.status != "approved":
                return ReminderDM(view, None, "they left or paused before it went out")
            if not member.dm_opt_in:
                return ReminderDM(view, None, "they turned reminder DMs off before it went out")
            # A retry may come after they voted: a reminder to vote would then be wrong.
            if voter_key(poll.ballot_secret, member.user_id) in await keys_voted(s, poll.id):
                return ReminderDM(view, None, "they voted before the reminder went out")
            return ReminderDM(view, member.user_id)
