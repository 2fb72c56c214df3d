"""What a fault soak is asked to do, and what it found (see bot/sandbox/soak.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
