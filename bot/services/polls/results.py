"""Counting ballots: results, turnout so far, and who chose what in a named poll."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Poll, PollBallot
from bot.services.access import Actor, guild_config, is_worker, require_worker
from bot.services.base import Service
from bot.services.errors import NotAllowed
from bot.services.polls.ballots import from_mask
from bot.services.polls.records import (
    PollView,
    find_poll,
    labels_for,
    poll_view,
    require_voter,
    voters_now,
)
from bot.services.polls.rules import check_results_shown, check_voter

# Workers can see who took part (contributions), so one or two ballots in an anonymous poll
# would give their choices away: below this, counts per option are withheld.
MIN_ANONYMOUS_BALLOTS = 3


# An anonymous poll for fewer members than this may well get fewer than 3 votes: the worker
# is told before it opens that its results may show turnout only.
SMALL_AUDIENCE = 10


def may_show_turnout_only(anonymous: bool, audience_size: int) -> bool:
    """Tell whether an anonymous poll's audience is small enough that few may vote."""
    return anonymous and audience_size < SMALL_AUDIENCE


def too_few_to_show_choices(anonymous: bool, audience_size: int) -> bool:
    """Tell whether an anonymous poll has too few members to show choices, as things stand."""
    return anonymous and audience_size < MIN_ANONYMOUS_BALLOTS


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
class NamedVote:
    """Who chose what in a named poll (workers only; never for anonymous polls)."""

    member_id: int | None
    user_id: int | None
    preferred_name: str | None
    labels: tuple[str, ...]


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


async def results_of(s: AsyncSession, poll: Poll) -> PollResults:
    """Return the poll's results; the audience is the close-time snapshot once closed."""
    counts, total = await tally(s, poll)
    size = poll.audience_size if poll.audience_size is not None else await voters_now(s, poll)
    withheld = poll.anonymous and 0 < total < MIN_ANONYMOUS_BALLOTS
    return PollResults(
        poll=poll_view(poll),
        counts=counts,
        total_ballots=total,
        audience_size=size,
        withheld=withheld,
    )


class PollCounting(Service):
    """Results for the people allowed to see them, and turnout for workers."""

    async def results(self, actor: Actor, poll_id: int) -> PollResults:
        """Return counts per option, unless they are hidden until the poll closes."""
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            # Membership first: someone not yet approved learns why before anything else.
            member = None if is_worker(config, actor) else await require_voter(s, actor)
            poll = await find_poll(s, actor.guild_id, poll_id)
            if member is not None:
                check_voter(poll, member, self.settings_for(poll.guild_id))
            check_results_shown(poll, self.settings_for(poll.guild_id))
            return await results_of(s, poll)

    async def turnout(self, actor: Actor, poll_id: int) -> Turnout:
        """Return how many have voted so far, without counts per option (workers)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await find_poll(s, actor.guild_id, poll_id)
            results = await results_of(s, poll)
            return Turnout(results.poll, results.total_ballots, results.audience_size)

    async def named_votes(self, actor: Actor, poll_id: int) -> list[NamedVote]:
        """Return who chose what in a named poll (workers); anonymous polls refuse."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await find_poll(s, actor.guild_id, poll_id)
            if poll.anonymous:
                raise NotAllowed(
                    "This poll is anonymous: nobody, including workers, can see who voted what."
                )
            if poll.results_hidden and poll.closed_at is None:
                raise NotAllowed("The votes are hidden until the poll closes.")
            rows = await s.execute(
                select(PollBallot.choices, Member.id, Member.user_id, Member.preferred_name)
                .outerjoin(Member, Member.id == PollBallot.member_id)
                .where(PollBallot.poll_id == poll.id)
                .order_by(Member.preferred_name, PollBallot.voter_key)
            )
            return [
                NamedVote(member_id, user_id, name, labels_for(poll, from_mask(mask)))
                for mask, member_id, user_id, name in rows
            ]

    async def audience_count(self, guild_id: int, poll_id: int) -> int:
        """Count who may vote in a poll right now."""
        async with self.db.begin() as s:
            return await voters_now(s, await find_poll(s, guild_id, poll_id))
