"""Voting: cast or change a ballot and record taking part, and look up your own choice."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import Member, Poll
from bot.services.access import Actor, require_member
from bot.services.base import Service
from bot.services.contributions import record_contribution
from bot.services.errors import Conflict, NotFound
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


class PollVoting(Service):
    """Ballots as members cast them."""

    # The facade's queue of writers where the database allows only one (SQLite), else None.
    writers: asyncio.Lock | None = None

    async def vote(self, actor: Actor, poll_id: int, choices: Sequence[int]) -> VoteReceipt:
        """Cast or replace the actor's ballot, and record the contribution, atomically."""
        if self.writers is None:
            return await self._vote(actor, poll_id, choices)
        async with self.writers:
            return await self._vote(actor, poll_id, choices)

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
