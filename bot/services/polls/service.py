"""Quick polls: create, vote (and change it), close, results; the close is a DueSource."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.contribution_kinds import ContributionKind
from bot.db.models import AuditEntry, Member, Poll, PollBallot
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config, is_worker, require_member, require_worker
from bot.services.contributions import record_contribution
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.polls.ballots import from_mask, new_secret, to_mask, voter_key
from bot.services.polls.closing import PollsDue, close_poll
from bot.services.polls.results import (
    VOTING_STATUSES,
    NamedVote,
    PollClosed,
    PollReminder,
    PollResults,
    PollView,
    Turnout,
    VoteReceipt,
    audience_size,
    in_audience,
    labels_for,
    poll_view,
    results_of,
)
from bot.services.polls.rules import PollDraft, check_closing, check_draft
from bot.settings import Settings


def _when(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.tz).strftime("%A %d %B at %H:%M")


class PollsService(PollsDue):
    """Everything about quick polls; also the DueSource that closes them and sends reminders."""

    name = "polls"
    emits: tuple[type, ...] = (PollClosed, PollReminder)

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        bind = db.kw.get("bind")
        # SQLite allows one writer; waiting writers poll with growing sleeps and can starve
        # for seconds under a burst of votes. Queue them here instead, first come first served.
        self._writers = (
            asyncio.Lock() if bind is not None and bind.dialect.name == "sqlite" else None
        )

    # ---- creating and editing ------------------------------------------------------------

    async def create(self, actor: Actor, draft: PollDraft) -> PollView:
        """Create a poll for a worker; the cog posts it and then calls set_message."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            clean = check_draft(draft, now, self.settings)
            channel_id = draft.channel_id or config.polls_channel_id
            if channel_id is None:
                raise InvalidInput(
                    "Please choose a channel for the poll (there is no polls channel)."
                )
            poll = Poll(
                guild_id=actor.guild_id,
                question=clean.question,
                options=clean.options,
                multiple=clean.multiple,
                anonymous=clean.anonymous,
                results_hidden=clean.results_hidden,
                audience_kind=clean.audience_kind,
                audience_value=clean.audience_value,
                channel_id=channel_id,
                created_by=actor.user_id,
                created_at=now,
                closes_at=clean.closes_at,
                reminder_at=clean.reminder_at,
                ballot_secret=new_secret(),
            )
            s.add(poll)
            await s.flush()
            self._audit(s, actor, "poll.create", poll.id, now)
            return poll_view(poll)

    async def set_message(self, poll_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the poll was posted, so its message can be edited later."""
        async with self.db.begin() as s:
            await s.execute(
                update(Poll)
                .where(Poll.id == poll_id)
                .values(channel_id=channel_id, message_id=message_id)
            )

    async def get(self, guild_id: int, poll_id: int) -> PollView:
        """Return a poll of this server for display."""
        async with self.db.begin() as s:
            return poll_view(await self._poll(s, guild_id, poll_id))

    async def recent(self, actor: Actor, limit: int = 25) -> list[PollView]:
        """List the newest polls this person may see: all for workers, their audience's else."""
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            member = None
            if not is_worker(config, actor):
                member = await s.scalar(
                    select(Member).where(
                        Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                    )
                )
                if member is None or member.status not in {"approved", "paused"}:
                    return []
            rows = await s.scalars(
                select(Poll)
                .where(Poll.guild_id == actor.guild_id)
                .order_by(Poll.id.desc())
                .limit(limit * 4 if member is not None else limit)
            )
            visible = [p for p in rows if member is None or in_audience(p, member)]
            return [poll_view(p) for p in visible[:limit]]

    async def discard(self, actor: Actor, poll_id: int) -> None:
        """Delete a poll that could not be posted (nobody has seen it, nobody voted)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            await s.execute(
                delete(Poll).where(
                    Poll.id == poll_id, Poll.guild_id == actor.guild_id, Poll.message_id.is_(None)
                )
            )

    async def open_polls(self, actor: Actor) -> list[PollView]:
        """List the server's open polls, closing soonest first (workers only)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(Poll)
                .where(Poll.guild_id == actor.guild_id, Poll.closed_at.is_(None))
                .order_by(Poll.closes_at, Poll.id)
            )
            return [poll_view(p) for p in rows]

    async def edit(
        self,
        actor: Actor,
        poll_id: int,
        *,
        anonymous: bool | None = None,
        results_hidden: bool | None = None,
        closes_at: datetime | None = None,
    ) -> PollView:
        """Change an open poll; anonymity and hidden results can be turned on but never off."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await self._poll(s, actor.guild_id, poll_id, lock=True)
            if poll.closed_at is not None:
                raise Conflict("This poll has closed, so it can't be changed.")
            if anonymous is False and poll.anonymous:
                raise Conflict(
                    "Anonymity can't be turned off once it is on: people voted trusting that "
                    "nobody could see their choice. If you need named votes, make a new poll."
                )
            if results_hidden is False and poll.results_hidden:
                raise Conflict(
                    "Hidden results can't be shown early once hidden: people voted without "
                    "seeing how others voted. The results will be shown when the poll closes."
                )
            if anonymous and not poll.anonymous:
                poll.anonymous = True
                # Named ballots become anonymous ones: forget who cast them.
                await s.execute(
                    update(PollBallot).where(PollBallot.poll_id == poll.id).values(member_id=None)
                )
            if results_hidden and not poll.results_hidden:
                poll.results_hidden = True
            if closes_at is not None:
                poll.closes_at = check_closing(closes_at, now, self.settings.tz)
                if poll.reminder_at is not None and poll.reminder_at >= poll.closes_at:
                    poll.reminder_at = None
            self._audit(s, actor, "poll.edit", poll.id, now)
            return poll_view(poll)

    # ---- voting ------------------------------------------------------------------------------

    async def vote(self, actor: Actor, poll_id: int, choices: Sequence[int]) -> VoteReceipt:
        """Cast or replace the actor's ballot, and record the contribution, atomically."""
        if self._writers is None:
            return await self._vote(actor, poll_id, choices)
        async with self._writers:
            return await self._vote(actor, poll_id, choices)

    async def _vote(self, actor: Actor, poll_id: int, choices: Sequence[int]) -> VoteReceipt:
        now = self.clock.now()
        async with self.db.begin() as s:
            poll, member = await self._poll_and_voter(s, actor, poll_id)
            self._check_open(poll, now)
            if member is None or member.status not in VOTING_STATUSES:
                # The rare refusals: let the shared check explain what stands in the way.
                member = await require_member(s, actor, allow_paused=True)
            self._check_audience(poll, member)
            picked = self._check_choices(poll, choices)
            assert poll.ballot_secret is not None  # open polls always have their secret
            key = voter_key(poll.ballot_secret, actor.user_id)
            member_id = None if poll.anonymous else member.id
            mask = to_mask(picked)
            stmt = insert_for(s, PollBallot).values(
                poll_id=poll.id, voter_key=key, choices=mask, member_id=member_id
            )
            await s.execute(
                stmt.on_conflict_do_update(
                    index_elements=["poll_id", "voter_key"],
                    set_={"choices": mask, "member_id": member_id},
                )
            )
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
                recorded_at=when,
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
            poll = await self._poll(s, actor.guild_id, poll_id)
            if poll.ballot_secret is None:
                return None
            mask = await s.scalar(
                select(PollBallot.choices).where(
                    PollBallot.poll_id == poll.id,
                    PollBallot.voter_key == voter_key(poll.ballot_secret, actor.user_id),
                )
            )
            return None if mask is None else from_mask(mask)

    def _check_open(self, poll: Poll, now: datetime) -> None:
        if poll.closed_at is not None or now >= poll.closes_at:
            raise Conflict(
                f"This poll closed on {_when(poll.closed_at or poll.closes_at, self.settings)}, "
                "so votes can no longer be cast or changed."
            )

    def _check_audience(self, poll: Poll, member: Member) -> None:
        if in_audience(poll, member):
            return
        if poll.audience_kind == "locality":
            raise NotAllowed(
                f"This poll is for members in {poll.audience_value}. Your profile says "
                f"{member.locality}; if that has changed, update it with /profile."
            )
        level = next(
            (lv.name for lv in self.settings.ladder.levels if lv.key == poll.audience_value),
            poll.audience_value,
        )
        raise NotAllowed(f"This poll is only for members at the {level} level.")

    def _check_choices(self, poll: Poll, choices: Sequence[int]) -> tuple[int, ...]:
        picked = tuple(sorted(set(choices)))
        if not picked:
            raise InvalidInput("Please choose an option.")
        if any(not 0 <= i < len(poll.options) for i in picked):
            raise InvalidInput("That option isn't in this poll. Please choose one shown.")
        if not poll.multiple and len(picked) > 1:
            raise InvalidInput("This poll takes one choice only. Please pick just one.")
        return picked

    # ---- closing and results -----------------------------------------------------------------

    async def close(self, actor: Actor, poll_id: int) -> PollClosed:
        """Close a poll early (workers); return the results to post, exactly once."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await self._poll(s, actor.guild_id, poll_id)
            event = await close_poll(s, poll.id, now, reason="early", closed_by=actor.user_id)
            if event is None:
                raise Conflict("This poll has already closed.")
            self._audit(s, actor, "poll.close", poll.id, now)
            return event

    async def results(self, actor: Actor, poll_id: int) -> PollResults:
        """Return counts per option, unless they are hidden until the poll closes."""
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            poll = await self._poll(s, actor.guild_id, poll_id)
            if not is_worker(config, actor):
                self._check_audience(poll, await require_member(s, actor))
            if poll.results_hidden and poll.closed_at is None:
                raise NotAllowed(
                    "The results of this poll are hidden until it closes on "
                    f"{_when(poll.closes_at, self.settings)}."
                )
            return await results_of(s, poll)

    async def turnout(self, actor: Actor, poll_id: int) -> Turnout:
        """Return how many have voted so far, without counts per option (workers)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await self._poll(s, actor.guild_id, poll_id)
            results = await results_of(s, poll)
            return Turnout(results.poll, results.total_ballots, results.audience_size)

    async def named_votes(self, actor: Actor, poll_id: int) -> list[NamedVote]:
        """Return who chose what in a named poll (workers); anonymous polls refuse."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await self._poll(s, actor.guild_id, poll_id)
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
            return await audience_size(s, await self._poll(s, guild_id, poll_id))

    # ---- helpers -----------------------------------------------------------------------------

    async def _poll(
        self,
        s: AsyncSession,
        guild_id: int,
        poll_id: int,
        *,
        lock: bool = False,
        shared: bool = False,
    ) -> Poll:
        stmt = select(Poll).where(Poll.id == poll_id)
        if lock:
            stmt = stmt.with_for_update(read=shared)
        poll = await s.scalar(stmt)
        if poll is None or poll.guild_id != guild_id:
            raise NotFound("That poll doesn't exist any more.")
        return poll

    def _audit(
        self, s: AsyncSession, actor: Actor, action: str, poll_id: int, at: datetime
    ) -> None:
        s.add(
            AuditEntry(
                guild_id=actor.guild_id,
                actor_user_id=actor.user_id,
                action=action,
                detail=f"poll {poll_id}",
                at=at,
            )
        )
