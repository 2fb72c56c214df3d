"""Timed poll work kept as rows: closing on time (or at start-up) and the one reminder."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Member, Poll, PollBallot
from bot.services.polls.ballots import voter_key
from bot.services.polls.results import (
    PollClosed,
    PollReminder,
    audience_clause,
    audience_size,
    poll_view,
    results_of,
)

# A close handled this long after its time happened while the bot was down (or very busy).
LATE_AFTER = timedelta(minutes=2)


async def close_poll(
    s: AsyncSession, poll_id: int, now: datetime, *, reason: str, closed_by: int | None
) -> PollClosed | None:
    """Claim the close of an open poll and destroy its secret; None if already closed."""
    # The WHERE on closed_at makes the close, and so the posting of results, happen once.
    claimed = await s.execute(
        update(Poll)
        .where(Poll.id == poll_id, Poll.closed_at.is_(None))
        .values(closed_at=now, closed_by=closed_by, close_reason=reason, ballot_secret=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    poll = await s.get(Poll, poll_id)
    assert poll is not None
    await s.refresh(poll)
    await _rewrite_ballots(s, poll_id)
    poll.audience_size = await audience_size(s, poll)
    await s.flush()
    results = await results_of(s, poll)
    late = reason == "time" and now - poll.closes_at > LATE_AFTER
    return PollClosed(results=results, reason=reason, late=late)


async def _rewrite_ballots(s: AsyncSession, poll_id: int) -> None:
    """Write every ballot again, in random key order, inside the closing transaction.

    PostgreSQL keeps, on each row, the id of the transaction that wrote it (xmin) and a
    physical position (ctid): a ballot written in the same transaction as the voter's
    contribution could be matched to it through them. Rewritten here, every ballot carries
    the close's transaction id and sits in key order, which says nothing about who or when.
    """
    rows = (
        await s.execute(
            select(PollBallot.voter_key, PollBallot.choices, PollBallot.member_id)
            .where(PollBallot.poll_id == poll_id)
            .order_by(PollBallot.voter_key)
        )
    ).all()
    if not rows:
        return
    await s.execute(delete(PollBallot).where(PollBallot.poll_id == poll_id))
    await s.execute(
        insert(PollBallot),
        [
            {"poll_id": poll_id, "voter_key": key, "choices": choices, "member_id": member_id}
            for key, choices, member_id in rows
        ],
    )


async def claim_reminder(s: AsyncSession, poll_id: int, now: datetime) -> PollReminder | None:
    """Claim a poll's one reminder and list who to DM; None if already sent or closed."""
    claimed = await s.execute(
        update(Poll)
        .where(
            Poll.id == poll_id,
            Poll.reminder_sent_at.is_(None),
            Poll.closed_at.is_(None),
        )
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    poll = await s.get(Poll, poll_id)
    assert poll is not None
    await s.refresh(poll)
    secret = poll.ballot_secret
    assert secret is not None
    cast = set(await s.scalars(select(PollBallot.voter_key).where(PollBallot.poll_id == poll.id)))
    # Not paused (a break means no reminders), opted into DMs, and no ballot yet.
    candidates = await s.execute(
        select(Member.user_id)
        .where(*audience_clause(poll), Member.status == "approved", Member.dm_opt_in.is_(True))
        .order_by(Member.id)
    )
    waiting = tuple(uid for (uid,) in candidates if voter_key(secret, uid) not in cast)
    return PollReminder(poll=poll_view(poll), user_ids=waiting)


class PollsDue:
    """The DueSource half of the polls service."""

    db: async_sessionmaker[AsyncSession]

    async def next_due(self) -> datetime | None:
        """Return the earliest close or reminder still to happen."""
        async with self.db.begin() as s:
            close = await s.scalar(select(func.min(Poll.closes_at)).where(Poll.closed_at.is_(None)))
            remind = await s.scalar(
                select(func.min(Poll.reminder_at)).where(
                    Poll.closed_at.is_(None),
                    Poll.reminder_sent_at.is_(None),
                    Poll.reminder_at.is_not(None),
                )
            )
        times = [t for t in (close, remind) if t is not None]
        return min(times) if times else None

    async def take_due(self, now: datetime) -> list[PollClosed | PollReminder]:
        """Close every poll whose time has come, then claim due reminders; once each."""
        events: list[PollClosed | PollReminder] = []
        async with self.db.begin() as s:
            closing = list(
                await s.scalars(
                    select(Poll.id)
                    .where(Poll.closed_at.is_(None), Poll.closes_at <= now)
                    .order_by(Poll.closes_at, Poll.id)
                )
            )
        for poll_id in closing:
            async with self.db.begin() as s:
                closed = await close_poll(s, poll_id, now, reason="time", closed_by=None)
            if closed is not None:
                events.append(closed)
        async with self.db.begin() as s:
            reminding = list(
                await s.scalars(
                    select(Poll.id)
                    .where(
                        Poll.closed_at.is_(None),
                        Poll.reminder_sent_at.is_(None),
                        Poll.reminder_at <= now,
                    )
                    .order_by(Poll.reminder_at, Poll.id)
                )
            )
        for poll_id in reminding:
            async with self.db.begin() as s:
                reminder = await claim_reminder(s, poll_id, now)
            if reminder is not None:
                events.append(reminder)
        return events
