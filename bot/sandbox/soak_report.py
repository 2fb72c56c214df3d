"""What a fault soak is asked to do, and what it found (see bot/sandbox/soak.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import (
    Member,
    OutboxItem,
    PollBallot,
    SessionReminder,
    SessionRsvp,
    SupportRequest,
)


@dataclass
class SoakPlan:
    """How big and how hostile the soak is."""

    members: int = 20
    fault_rate: float = 0.05
    kills: int = 2
    speed: float = 7200.0  # one real second is two hours of the bot's time
    seed: int = 1
    cycles: int = 1  # each: a poll, a session, support requests, then time passes
    cycle_hours: float = 34.0
    poll_hours: int = 12
    session_hours: int = 30


@dataclass
class SoakReport:
    """What happened, counted."""

    members_approved: int = 0
    votes_confirmed: int = 0
    votes_tried: int = 0
    ballots: int = 0
    rsvps_confirmed: int = 0
    rsvps_tried: int = 0
    rsvps_stored: int = 0
    support_asked: int = 0
    support_stored: int = 0
    results_posts: int = 0
    reminders_delivered: int = 0

    kills: int = 0
    faults: int = 0
    requests: int = 0
    outbox: dict[str, int] = field(default_factory=dict)
    undeliverable: Counter[str] = field(default_factory=Counter)
    delivered_twice: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the figures as printable lines."""
        out = [
            f"members approved      {self.members_approved}",
            f"votes confirmed/tried {self.votes_confirmed}/{self.votes_tried}; "
            f"ballots stored {self.ballots}",
            f"RSVPs confirmed/tried {self.rsvps_confirmed}/{self.rsvps_tried}; "
            f"stored {self.rsvps_stored}",
            f"support asked/stored  {self.support_asked}/{self.support_stored}",
            f"poll results posts    {self.results_posts}",
            f"session reminders DMed {self.reminders_delivered}",
            f"SIGKILLs {self.kills}; Discord failures injected {self.faults} "
            f"of {self.requests} REST requests",
            f"outbox rows by status {dict(sorted(self.outbox.items()))}",
            f"messages with an outbox nonce seen twice: {len(self.delivered_twice)}",
        ]
        out += [f"undeliverable ({n}): {reason}" for reason, n in self.undeliverable.items()]
        out += [f"PROBLEM: {p}" for p in self.problems]
        return out


@dataclass
class Stored:
    """What the database holds at the end of a soak."""

    ballots: int
    rsvps_going: int
    support_requests: int
    outbox_rows: list[Any]
    approved: list[int]
    # People with a delivery recorded as impossible (DMs closed, too late) and its reason.
    failed_users: set[int]


async def stored_counts(db_url: str) -> Stored:
    """Read the figures a soak checks from its database."""
    engine = create_engine(db_url)
    db = create_sessionmaker(engine)
    try:
        async with db() as s:
            ballots = await s.scalar(select(func.count()).select_from(PollBallot))
            going = await s.scalar(
                select(func.count(SessionRsvp.id)).where(SessionRsvp.reply == "going")
            )
            support = await s.scalar(select(func.count(SupportRequest.id)))
            rows = list(await s.scalars(select(OutboxItem)))
            approved = list(
                await s.scalars(select(Member.user_id).where(Member.status == "approved"))
            )
            failed = set(
                await s.scalars(
                    select(Member.user_id)
                    .join(OutboxItem, OutboxItem.subject_member_id == Member.id)
                    .where(OutboxItem.status == "failed")
                )
            )
            failed |= set(
                await s.scalars(
                    select(Member.user_id)
                    .join(SessionReminder, SessionReminder.member_id == Member.id)
                    .where(SessionReminder.skip_reason.is_not(None))
                )
            )
    finally:
        await engine.dispose()
    return Stored(int(ballots or 0), int(going or 0), int(support or 0), rows, approved, failed)
