"""Polls in /mydata and /forgetme: named choices exported, ballots unlinked on erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, Poll, PollBallot
from bot.services.polls.ballots import from_mask, unlink, unlink_erased, voter_key
from bot.services.polls.records import labels_for

ANONYMOUS_NOTE = (
    "This poll was anonymous: your choice is not stored against your name, "
    "so it cannot be shown to anyone, including you."
)


class PollsPersonalData:
    """The polls section of a person's data."""

    section = "polls"

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return the person's choices in named polls and which anonymous polls they voted in."""
        named = await session.execute(
            select(Poll, PollBallot.choices)
            .join(PollBallot, PollBallot.poll_id == Poll.id)
            .where(Poll.guild_id == guild_id, PollBallot.member_id == member_id)
            .order_by(Poll.id)
        )
        votes: list[dict[str, Any]] = [
            {
                "poll": poll.id,
                "question": poll.question,
                "anonymous": False,
                "your_choices": list(labels_for(poll, from_mask(mask))),
            }
            for poll, mask in named
        ]
        # Taking part in an anonymous poll is known only from the contribution it recorded.
        sources = await session.scalars(
            select(Contribution.source_key).where(
                Contribution.member_id == member_id,
                Contribution.kind == ContributionKind.POLL_VOTE.value,
            )
        )
        poll_ids = [int(k.split(":", 1)[1]) for k in sources if k.startswith("poll:")]
        if poll_ids:
            anonymous = await session.scalars(
                select(Poll)
                .where(Poll.id.in_(poll_ids), Poll.anonymous.is_(True), Poll.guild_id == guild_id)
                .order_by(Poll.id)
            )
            votes += [
                {"poll": p.id, "question": p.question, "anonymous": True, "note": ANONYMOUS_NOTE}
                for p in anonymous
            ]
        created = await session.scalars(
            select(Poll.id).where(Poll.guild_id == guild_id, Poll.created_by == user_id)
        )
        return {"votes": votes, "polls_created": list(created)}

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Unlink the person's ballots in this server (they stay counted) and their name.

        In an open poll the ballot stays counted under a random key, and a mark that they have
        voted stops them voting twice if they join again (see ballots.py for why it is kept
        rather than withdrawn). Every statement names this server: erasing here must not touch
        another server's polls, where the same Discord account may also vote or run polls.
        """
        # The open polls first: the secret still finds their ballot, named or anonymous.
        open_polls = await session.execute(
            select(Poll.id, Poll.ballot_secret).where(
                Poll.guild_id == guild_id, Poll.ballot_secret.is_not(None)
            )
        )
        for poll_id, secret in open_polls.all():
            await unlink_erased(session, poll_id, voter_key(secret, user_id))
        # Then named ballots in closed polls, which name them by member.
        named_keys = await session.execute(
            select(PollBallot.poll_id, PollBallot.voter_key)
            .join(Poll, Poll.id == PollBallot.poll_id)
            .where(Poll.guild_id == guild_id, PollBallot.member_id == member_id)
        )
        for poll_id, key in named_keys.all():
            await unlink(session, poll_id, key)
        await session.execute(
            update(Poll)
            .where(Poll.guild_id == guild_id, Poll.created_by == user_id)
            .values(created_by=None)
        )
        await session.execute(
            update(Poll)
            .where(Poll.guild_id == guild_id, Poll.closed_by == user_id)
            .values(closed_by=None)
        )
        # A reminder still owed to them names them only by member, which the erasure deletes:
        # its sender then records it as undeliverable instead of sending it.
