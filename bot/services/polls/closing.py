"""Closing a poll, on time (or at start-up when overdue) or early by a worker, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Poll
from bot.services.access import Actor, require_worker
from bot.services.base import Service, claim
from bot.services.errors import Conflict
from bot.services.polls.ballots import forget_erased, rewrite_all
from bot.services.polls.owed import owe_close
from bot.services.polls.records import find_poll, take_each, voters_now
from bot.services.polls.results import PollResults, results_of

# A close handled this long after its time happened while the bot was down (or very busy).
LATE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class PollClosed:
    """A poll closed; its results post and closed message are owed in the outbox."""

    results: PollResults
    reason: str  # time | early
    late: bool  # closed after its time, e.g. at start-up after the bot was down


async def close_poll(
    s: AsyncSession, poll_id: int, now: datetime, *, reason: str, closed_by: int | None
) -> PollClosed | None:
    """Claim the close of an open poll and destroy its secret; None if already closed.

    The results post and the closed poll message are owed in this same transaction, so they
    go out exactly once even if Discord fails or the bot stops before they are sent.
    """
    # The WHERE on closed_at makes the close, and so the owing of results, happen once.
    won = await claim(
        s,
        update(Poll)
        .where(Poll.id == poll_id, Poll.closed_at.is_(None))
        .values(closed_at=now, closed_by=closed_by, close_reason=reason, ballot_secret=None),
    )
    if not won:
        return None
    poll = await s.get(Poll, poll_id)
    assert poll is not None
    await s.refresh(poll)
    await rewrite_all(s, poll_id)
    await forget_erased(s, poll_id)
    poll.audience_size = await voters_now(s, poll)
    await s.flush()
    results = await results_of(s, poll)
    late = reason == "time" and now - poll.closes_at > LATE_AFTER
    await owe_close(s, poll, now, late=late)
    return PollClosed(results=results, reason=reason, late=late)


class PollClosing(Service):
    """Close polls: early when a worker asks, on time when the scheduler finds them due."""

    async def close(self, actor: Actor, poll_id: int) -> PollClosed:
        """Close a poll early (workers); return the results to post, exactly once."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await find_poll(s, actor.guild_id, poll_id)
            event = await close_poll(s, poll.id, now, reason="early", closed_by=actor.user_id)
            if event is None:
                raise Conflict("This poll has already closed.")
            self.audit(s, actor, "poll.close", detail=f"poll {poll.id}")
        self.wake()  # the owed results go out now
        return event

    async def next_close(self) -> datetime | None:
        """Return the earliest closing time of a poll still open."""
        return await self.earliest(select(func.min(Poll.closes_at)).where(Poll.closed_at.is_(None)))

    async def take_closes(self, now: datetime) -> list[PollClosed]:
        """Close every poll whose time has come, each in its own transaction, once."""
        due = (
            select(Poll.id)
            .where(Poll.closed_at.is_(None), Poll.closes_at <= now)
            .order_by(Poll.closes_at, Poll.id)
        )

        async def on_time(s: AsyncSession, poll_id: int) -> PollClosed | None:
            return await close_poll(s, poll_id, now, reason="time", closed_by=None)

        closed = await take_each(self.db, due, on_time)
        if closed:
            self.wake()
        return closed
