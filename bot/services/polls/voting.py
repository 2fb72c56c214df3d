"""Voting: cast or change a ballot and record taking part, and look up your own choice."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.contribution_kinds import ContributionKind
from bot.db.group_commit import GroupCommit
from bot.db.models import Member, Poll, PollBallot
from bot.db.models.polls import PollErasedVoter
from bot.db.upsert import insert_for
from bot.services.access import Actor, MemberRow, members_acting, require_member
from bot.services.base import Service, Wake, in_key_order
from bot.services.contributions import record_contribution, record_contributions
from bot.services.errors import Conflict, NotFound, ServiceError
from bot.services.polls.ballots import cast, choices_of, to_mask, voted_before_erasure, voter_key
from bot.services.polls.records import (
    VOTING_STATUSES,
    PollView,
    find_poll,
    labels_for,
    member_of,
    poll_view,
    refuse_pending,
)
from bot.services.polls.results import PollResults, results_of
from bot.services.polls.rules import check_choices, check_open, check_voter
from bot.settings import Settings

# Their ballot still counts but belongs to nobody: it can be neither shown, changed nor doubled.
VOTED_BEFORE_ERASURE = (
    "You voted in this poll before you asked for your data to be erased. That vote still "
    "counts, but it is no longer linked to you, so nobody can look it up or change it "
    "(not even you), and you can't vote in this poll again. You can vote in new polls."
)


@dataclass(frozen=True)
class VoteReceipt:
    """What the voter is told privately after voting."""

    poll: PollView
    choices: tuple[int, ...]
    labels: tuple[str, ...]
    changed: bool  # True when this replaced an earlier ballot
    results: PollResults | None  # current counts when results are not hidden


@dataclass(frozen=True)
class Ballot:
    """One vote as it waits to be written."""

    actor: Actor
    poll_id: int
    choices: tuple[int, ...]


@dataclass(frozen=True)
class Checked:
    """A vote that passed every check, ready to write."""

    poll: Poll
    member_id: int
    key: str
    picked: tuple[int, ...]


class PollVoting(Service):
    """Ballots as members cast them."""

    # The facade's queue of writers where the database allows only one (SQLite), else None.
    writers: asyncio.Lock | None = None

    def __init__(
        self,
        settings: Settings,
        db: Any,
        clock: Clock,
        wake: Wake | None = None,
    ) -> None:
        super().__init__(settings, db, clock, wake)
        # Votes arriving together are written together; see bot/db/group_commit.py.
        self._rounds: GroupCommit[Ballot, VoteReceipt] = GroupCommit(
            self._vote_together, self._vote_alone, lambda b: (b.poll_id, b.actor.user_id)
        )

    async def vote(self, actor: Actor, poll_id: int, choices: Sequence[int]) -> VoteReceipt:
        """Cast or replace the actor's ballot, and record the contribution, atomically.

        The reply waits for the commit of the round the vote was written in.
        """
        return await self._rounds.submit(Ballot(actor, poll_id, tuple(choices)))

    async def _vote_alone(self, ballot: Ballot) -> VoteReceipt:
        """Write one vote in its own transaction (when its round could not be written)."""
        if self.writers is None:
            return await self._vote(ballot.actor, ballot.poll_id, ballot.choices)
        async with self.writers:
            return await self._vote(ballot.actor, ballot.poll_id, ballot.choices)

    async def _vote_together(self, ballots: Sequence[Ballot]) -> list[VoteReceipt | Exception]:
        """Write a round of votes (each voter once) in one transaction; refuse each alone."""
        now = self.clock.now()
        async with self.db.begin() as s:
            polls = await _polls(s, {b.poll_id for b in ballots})
            voters = await members_acting(s, (b.actor for b in ballots))
            checked: list[Checked | Exception] = []
            for ballot in ballots:
                try:
                    member = voters.get((ballot.actor.guild_id, ballot.actor.user_id))
                    checked.append(await self._check(s, ballot, polls, member, now))
                except ServiceError as refusal:
                    checked.append(refusal)
            ok = [c for c in checked if isinstance(c, Checked)]
            erased = await _erased(s, ok)
            checked = [
                Conflict(VOTED_BEFORE_ERASURE)
                if isinstance(c, Checked) and (c.poll.id, c.key) in erased
                else c
                for c in checked
            ]
            ok = [c for c in checked if isinstance(c, Checked)]
            first = await _write(s, ok, now)
            counts = {
                poll.id: await results_of(s, poll)
                for poll in {c.poll.id: c.poll for c in ok}.values()
                if not poll.results_hidden
            }
        return [
            c
            if isinstance(c, Exception)
            else VoteReceipt(
                poll=poll_view(c.poll),
                choices=c.picked,
                labels=labels_for(c.poll, c.picked),
                changed=(c.poll.id, c.member_id) not in first,
                results=counts.get(c.poll.id),
            )
            for c in checked
        ]

    async def _check(
        self,
        s: AsyncSession,
        ballot: Ballot,
        polls: dict[int, Poll],
        member: MemberRow | Member | None,
        now: datetime,
    ) -> Checked:
        """Apply every rule of `_vote` to one vote of a round; raise its refusal."""
        poll = polls.get(ballot.poll_id)
        if poll is None or poll.guild_id != ballot.actor.guild_id:
            raise NotFound("That poll doesn't exist any more.")
        check_open(poll, now, self.settings_for(poll.guild_id))
        if member is None or member.status not in VOTING_STATUSES:
            refuse_pending(None if member is None else await member_of(s, ballot.actor))
            member = await require_member(s, ballot.actor, allow_paused=True)
        check_voter(poll, member, self.settings_for(poll.guild_id))
        picked = check_choices(poll, ballot.choices)
        assert poll.ballot_secret is not None  # open polls always have their secret
        key = voter_key(poll.ballot_secret, ballot.actor.user_id)
        return Checked(poll, member.id, key, picked)

    async def _vote(self, actor: Actor, poll_id: int, choices: Sequence[int]) -> VoteReceipt:
        now = self.clock.now()
        async with self.db.begin() as s:
            poll, member = await self._poll_and_voter(s, actor, poll_id)
            check_open(poll, now, self.settings_for(poll.guild_id))
            if member is None or member.status not in VOTING_STATUSES:
                # The rare refusals: let the shared check explain what stands in the way.
                refuse_pending(member)
                member = await require_member(s, actor, allow_paused=True)
            check_voter(poll, member, self.settings_for(poll.guild_id))
            picked = check_choices(poll, choices)
            assert poll.ballot_secret is not None  # open polls always have their secret
            key = voter_key(poll.ballot_secret, actor.user_id)
            if await voted_before_erasure(s, poll.id, key):
                raise Conflict(VOTED_BEFORE_ERASURE)
            await cast(s, poll.id, key, to_mask(picked), None if poll.anonymous else member.id)
            # Anonymous polls date the contribution by the poll, not by the vote.
            when = poll.created_at if poll.anonymous else now
            # The contribution exists once per member and poll: new means a first vote.
            first = await record_contribution(
                s,
                guild_id=poll.guild_id,
                member_id=member.id,
                kind=ContributionKind.POLL_VOTE,
                source_key=f"poll:{poll.id}",
                occurred_at=when,
            )
            results = None if poll.results_hidden else await results_of(s, poll)
            return VoteReceipt(
                poll=poll_view(poll),
                choices=picked,
                labels=labels_for(poll, picked),
                changed=not first,
                results=results,
            )

    async def _poll_and_voter(
        self, s: AsyncSession, actor: Actor, poll_id: int
    ) -> tuple[Poll, Member | None]:
        # One query for the poll and the voter: a vote is the busiest action of all.
        row = (
            await s.execute(
                select(Poll, Member)
                .outerjoin(
                    Member,
                    and_(Member.guild_id == Poll.guild_id, Member.user_id == actor.user_id),
                )
                .where(Poll.id == poll_id)
                # A shared lock on PostgreSQL: a close (UPDATE) waits for votes in flight.
                .with_for_update(read=True, of=Poll)
            )
        ).first()
        if row is None or row[0].guild_id != actor.guild_id:
            raise NotFound("That poll doesn't exist any more.")
        return row[0], row[1]

    async def my_choices(self, actor: Actor, poll_id: int) -> tuple[int, ...] | None:
        """Return the actor's own current choices in an open poll, or None if not voted."""
        async with self.db.begin() as s:
            poll = await find_poll(s, actor.guild_id, poll_id)
            refuse_pending(await member_of(s, actor))
            if poll.ballot_secret is None:
                return None
            key = voter_key(poll.ballot_secret, actor.user_id)
            if await voted_before_erasure(s, poll.id, key):
                raise Conflict(VOTED_BEFORE_ERASURE)
            return await choices_of(s, poll.id, key)


async def _polls(s: AsyncSession, ids: set[int]) -> dict[int, Poll]:
    """Load a round's polls, with a shared lock on PostgreSQL so a close waits for the round."""
    rows = await s.scalars(select(Poll).where(Poll.id.in_(ids)).with_for_update(read=True))
    return {poll.id: poll for poll in rows}


async def _erased(s: AsyncSession, ok: list[Checked]) -> set[tuple[int, str]]:
    """Return which of a round's ballot keys belong to people who erased their data."""
    if not ok:
        return set()
    rows = await s.execute(
        select(PollErasedVoter.poll_id, PollErasedVoter.voter_key).where(
            tuple_(PollErasedVoter.poll_id, PollErasedVoter.voter_key).in_(
                [(c.poll.id, c.key) for c in ok]
            )
        )
    )
    return {(r[0], r[1]) for r in rows}


async def _write(s: AsyncSession, ok: list[Checked], now: datetime) -> set[tuple[int, int]]:
    """Write a round's ballots and contributions; return the (poll, member) voting first."""
    if not ok:
        return set()
    table = PollBallot.__table__
    upsert = insert_for(s, table)
    upsert = upsert.on_conflict_do_update(
        index_elements=["poll_id", "voter_key"],
        set_={"choices": upsert.excluded.choices, "member_id": upsert.excluded.member_id},
    )
    ballots = [
        {
            "poll_id": c.poll.id,
            "voter_key": c.key,
            "choices": to_mask(c.picked),
            "member_id": None if c.poll.anonymous else c.member_id,
        }
        for c in ok
    ]
    # In key order, never in the order people voted (see ballots.py on row order).
    await s.execute(upsert, in_key_order(ballots, ["poll_id", "voter_key"]))
    # Anonymous polls date the contribution by the poll, not by the vote.
    firsts = [
        (c.poll.guild_id, c.member_id, f"poll:{c.poll.id}", c.poll.created_at)
        if c.poll.anonymous
        else (c.poll.guild_id, c.member_id, f"poll:{c.poll.id}", now)
        for c in ok
    ]
    new = await record_contributions(s, ContributionKind.POLL_VOTE, firsts)
    return {(int(source.split(":")[1]), member_id) for member_id, source in new}
