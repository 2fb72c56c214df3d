"""What the polls service returns and emits, and the queries that count ballots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Poll, PollBallot

# Members who count as the audience: approved, and paused (a break keeps your voice).
VOTING_STATUSES = ("approved", "paused")


@dataclass(frozen=True)
class PollView:
    """A poll as the bot shows it."""

    id: int
    guild_id: int
    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool
    results_hidden: bool
    audience_kind: str
    audience_value: str | None
    channel_id: int
    message_id: int | None
    created_at: datetime
    closes_at: datetime
    reminder_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None

    @property
    def is_open(self) -> bool:
        """Tell whether the poll has not been closed yet (the clock may have passed it)."""
        return self.closed_at is None

    @property
    def uses_select(self) -> bool:
        """Tell whether the options need a select menu rather than one button each."""
        return self.multiple or len(self.options) > 5


@dataclass(frozen=True)
class PollResults:
    """Counts per option; never who chose what."""

    poll: PollView
    counts: tuple[int, ...]
    total_ballots: int
    audience_size: int
    # Set for an anonymous poll with too few ballots to show choices safely: whatever shows
    # results (the results post, /poll results, live results, the chart) shows turnout only.
    withheld: bool = False

    @property
    def turnout(self) -> float:
        """Return ballots as a share of the audience (0 when the audience is empty)."""
        return self.total_ballots / self.audience_size if self.audience_size else 0.0


@dataclass(frozen=True)
class Turnout:
    """How many have voted so far, without any counts per option."""

    poll: PollView
    total_ballots: int
    audience_size: int


@dataclass(frozen=True)
class VoteReceipt:
    """What the voter is told privately after voting."""

    poll: PollView
    choices: tuple[int, ...]
    labels: tuple[str, ...]
    changed: bool  # True when this replaced an earlier ballot
    results: PollResults | None  # current counts when results are not hidden


@dataclass(frozen=True)
class NamedVote:
    """Who chose what in a named poll (workers only; never for anonymous polls)."""

    member_id: int | None
    user_id: int | None
    preferred_name: str | None
    labels: tuple[str, ...]


@dataclass(frozen=True)
class PollClosed:
    """A poll closed: post its results (with a chart) once."""

    results: PollResults
    reason: str  # time | early
    late: bool  # closed after its time, e.g. at start-up after the bot was down


@dataclass(frozen=True)
class PollReminder:
    """The one reminder: DM these audience members who have not voted and opted in."""

    poll: PollView
    user_ids: tuple[int, ...]


def poll_view(poll: Poll) -> PollView:
    """Return the view of a poll row."""
    return PollView(
        id=poll.id,
        guild_id=poll.guild_id,
        question=poll.question,
        options=tuple(poll.options),
        multiple=poll.multiple,
        anonymous=poll.anonymous,
        results_hidden=poll.results_hidden,
        audience_kind=poll.audience_kind,
        audience_value=poll.audience_value,
        channel_id=poll.channel_id,
        message_id=poll.message_id,
        created_at=poll.created_at,
        closes_at=poll.closes_at,
        reminder_at=poll.reminder_at,
        closed_at=poll.closed_at,
        close_reason=poll.close_reason,
    )


def audience_clause(poll: Poll) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions that pick the poll's audience from members."""
    clauses: list[ColumnElement[bool]] = [Member.guild_id == poll.guild_id]
    if poll.audience_kind == "locality":
        clauses.append(Member.locality == poll.audience_value)
    elif poll.audience_kind == "level":
        clauses.append(Member.level_key == poll.audience_value)
    return clauses


def in_audience(poll: Poll, member: Member) -> bool:
    """Tell whether a member belongs to the poll's audience."""
    if poll.audience_kind == "locality":
        return member.locality == poll.audience_value
    if poll.audience_kind == "level":
        return member.level_key == poll.audience_value
    return True


async def audience_size(s: AsyncSession, poll: Poll) -> int:
    """Count the members who may vote in the poll right now."""
    count = await s.scalar(
        select(func.count())
        .select_from(Member)
        .where(*audience_clause(poll), Member.status.in_(VOTING_STATUSES))
    )
    return int(count or 0)


async def tally(s: AsyncSession, poll: Poll) -> tuple[tuple[int, ...], int]:
    """Count ballots per option and in total, in one aggregate query."""
    columns: list[Any] = [func.count()]
    for index in range(len(poll.options)):
        bit = 1 << index
        columns.append(func.sum(case((PollBallot.choices.op("&")(bit) != 0, 1), else_=0)))
    row = (await s.execute(select(*columns).where(PollBallot.poll_id == poll.id))).one()
    total = int(row[0] or 0)
    counts = tuple(int(value or 0) for value in row[1:])
    return counts, total


# Workers can see who took part (contributions), so one or two ballots in an anonymous poll
# would give their choices away: below this, counts per option are withheld.
MIN_ANONYMOUS_BALLOTS = 3


async def results_of(s: AsyncSession, poll: Poll) -> PollResults:
    """Return the poll's results; the audience is the close-time snapshot once closed."""
    counts, total = await tally(s, poll)
    size = poll.audience_size if poll.audience_size is not None else await audience_size(s, poll)
    withheld = poll.anonymous and 0 < total < MIN_ANONYMOUS_BALLOTS
    return PollResults(
        poll=poll_view(poll),
        counts=counts,
        total_ballots=total,
        audience_size=size,
        withheld=withheld,
    )


def labels_for(poll: Poll | PollView, indexes: tuple[int, ...]) -> tuple[str, ...]:
    """Return the option labels for indexes."""
    return tuple(poll.options[i] for i in indexes if 0 <= i < len(poll.options))
