"""Making polls: create, remember where posted, change while open, list, and discard."""

from __future__ import annotations

from typing import Unpack

from sqlalchemy import delete, select

from bot.db.models import Member, Poll
from bot.services.access import Actor, guild_config, is_worker, require_worker
from bot.services.audience import Audience
from bot.services.base import Service
from bot.services.errors import InvalidInput
from bot.services.polls.ballots import forget_names, new_secret
from bot.services.polls.records import VOTING_STATUSES, PollView, find_poll, member_of, poll_view
from bot.services.polls.rules import PollChanges, PollDraft, check_closing, check_draft, check_edit


class PollDrafting(Service):
    """Polls as workers make and change them, and the lists people pick polls from."""

    async def create(self, actor: Actor, draft: PollDraft) -> PollView:
        """Create a poll for a worker; the cog posts it and then calls set_message."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            clean = check_draft(draft, now, self.settings_for(actor.guild_id))
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
                audience_kind=clean.audience.kind,
                audience_value=clean.audience.value,
                channel_id=channel_id,
                created_by=actor.user_id,
                created_at=now,
                closes_at=clean.closes_at,
                reminder_at=clean.reminder_at,
                ballot_secret=new_secret(),
            )
            s.add(poll)
            await s.flush()
            self.audit(s, actor, "poll.create", detail=f"poll {poll.id}")
            view = poll_view(poll)
        self.wake()
        return view

    async def set_message(self, poll_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the poll was posted, so its message can be edited later."""
        await self.remember(Poll, poll_id, channel_id=channel_id, message_id=message_id)

    async def get(self, guild_id: int, poll_id: int) -> PollView:
        """Return a poll of this server for display."""
        async with self.db.begin() as s:
            return poll_view(await find_poll(s, guild_id, poll_id))

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
                if member is None or member.status not in VOTING_STATUSES:
                    return []
            rows = await s.scalars(
                select(Poll)
                .where(Poll.guild_id == actor.guild_id)
                .order_by(Poll.id.desc())
                .limit(limit * 4 if member is not None else limit)
            )
            visible = [p for p in rows if member is None or Audience.of(p).includes(member)]
            return [poll_view(p) for p in visible[:limit]]

    async def is_waiting(self, actor: Actor) -> bool:
        """Tell whether the actor's sign-up is still waiting for a worker's approval."""
        async with self.db.begin() as s:
            member = await member_of(s, actor)
            return member is not None and member.status == "pending"

    async def discard(self, actor: Actor, poll_id: int) -> None:
        """Delete a poll that could not be posted (nobody has seen it, nobody voted)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            await s.execute(
                delete(Poll).where(
                    Poll.id == poll_id, Poll.guild_id == actor.guild_id, Poll.message_id.is_(None)
                )
            )
        self.wake()

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

    async def edit(self, actor: Actor, poll_id: int, **changes: Unpack[PollChanges]) -> PollView:
        """Change an open poll; anonymity and hidden results can be turned on but never off."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            poll = await find_poll(s, actor.guild_id, poll_id, lock=True)
            check_edit(poll, changes)
            if changes.get("anonymous") and not poll.anonymous:
                poll.anonymous = True
                # Named ballots become anonymous ones: forget who cast them.
                await forget_names(s, poll.id)
            if changes.get("results_hidden"):
                poll.results_hidden = True
            closes_at = changes.get("closes_at")
            if closes_at is not None:
                poll.closes_at = check_closing(closes_at, now, self.settings.tz)
                if poll.reminder_at is not None and poll.reminder_at >= poll.closes_at:
                    poll.reminder_at = None
            self.audit(s, actor, "poll.edit", detail=f"poll {poll.id}")
            view = poll_view(poll)
        self.wake()
        return view
