"""A poll's one reminder: DM the audience members who opted in and have not voted yet.

Claiming the reminder owes one DM per member in the outbox (see owed.py), in the same
transaction, so a Discord failure or a restart delays a DM but never loses or doubles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Poll
from bot.services.audience import Audience
from bot.services.base import Service, claim
from bot.services.polls.ballots import keys_voted, voter_key
from bot.services.polls.owed import owe_reminder
from bot.services.polls.records import PollView, poll_view, take_each


@dataclass(frozen=True)
class PollReminder:
    """The one reminder, owed to these audience members who have not voted and opted in."""

    poll: PollView
    user_ids: tuple[int, ...]


async def claim_reminder(s: AsyncSession, poll_id: int, now: datetime) -> PollReminder | None:
    """Claim a poll's one reminder and owe each member their DM; None if claimed or closed."""
    won = await claim(
        s,
        update(Poll)
        .where(Poll.id == poll_id, Poll.reminder_sent_at.is_(None), Poll.closed_at.is_(None))
        .values(reminder_sent_at=now),
    )
    if not won:
        return None
    poll = await s.get(Poll, poll_id)
    assert poll is not None
    await s.refresh(poll)
    secret = poll.ballot_secret
    assert secret is not None
    cast = await keys_voted(s, poll.id)
    # Not paused (a break means no reminders), opted into DMs, and no ballot yet.
    candidates = await s.execute(
        select(Member.id, Member.user_id)
        .where(
            Member.guild_id == poll.guild_id,
            *Audience.of(poll).conditions(),
            Member.status == "approved",
            Member.dm_opt_in.is_(True),
        )
        .order_by(Member.id)
    )
    waiting = [(mid, uid) for mid, uid in candidates if voter_key(secret, uid) not in cast]
    for member_id, _ in waiting:
        await owe_reminder(s, poll, member_id, now)
    return PollReminder(poll=poll_view(poll), user_ids=tuple(uid for _, uid in waiting))


class PollReminders(Service):
    """Send each poll's one reminder when its time comes, while the poll is open."""

    async def next_reminder(self) -> datetime | None:
        """Return the earliest reminder still to send."""
        return await self.earliest(
            select(func.min(Poll.reminder_at)).where(
                Poll.closed_at.is_(None),
                Poll.reminder_sent_at.is_(None),
                Poll.reminder_at.is_not(None),
            )
        )

    async def take_reminders(self, now: datetime) -> list[PollReminder]:
        """Claim every due reminder, each in its own transaction, once."""
        due = (
            select(Poll.id)
            .where(
                Poll.closed_at.is_(None),
                Poll.reminder_sent_at.is_(None),
                Poll.reminder_at <= now,
            )
            .order_by(Poll.reminder_at, Poll.id)
        )
        claimed = await take_each(self.db, due, lambda s, poll_id: claim_reminder(s, poll_id, now))
        if claimed:
            self.wake()  # the owed DMs go out now
        return claimed
