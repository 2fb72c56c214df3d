"""A poll's one reminder: DM the audience members who opted in and have not voted yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Poll
from bot.services.audience import Audience
from bot.services.base import Service, claim
from bot.services.polls.ballots import keys_cast, voter_key
from bot.services.polls.records import PollView, poll_view, take_each


@dataclass(frozen=True)
class PollReminder:
    """The one reminder: DM these audience members who have not voted and opted in."""

    poll: PollView
    user_ids: tuple[int, ...]


async def claim_reminder(s: AsyncSession, poll_id: int, now: datetime) -> PollReminder | None:
    """Claim a poll's one reminder and list who to DM; None if already sent or closed."""
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
    cast = await keys_cast(s, poll.id)
    # Not paused (a break means no reminders), opted into DMs, and no ballot yet.
    candidates = await s.execute(
        select(Member.user_id)
        .where(
            Member.guild_id == poll.guild_id,
            *Audience.of(poll).conditions(),
            Member.status == "approved",
            Member.dm_opt_in.is_(True),
        )
        .order_by(Member.id)
    )
    waiting = tuple(uid for (uid,) in candidates if voter_key(secret, uid) not in cast)
    return PollReminder(poll=poll_view(poll), user_ids=waiting)


class PollReminders(Service):
    """Send each poll's one reminder when its time comes, while the poll is open."""

    async def next_reminder(self) -> datetime | None:
        """Return the earliest reminder still to send."""
        async with self.db.begin() as s:
            first: datetime | None = await s.scalar(
                select(func.min(Poll.reminder_at)).where(
                    Poll.closed_at.is_(None),
                    Poll.reminder_sent_at.is_(None),
                    Poll.reminder_at.is_not(None),
                )
            )
        return first

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
        return await take_each(self.db, due, lambda s, poll_id: claim_reminder(s, poll_id, now))
