"""A poll as the service shows it, finding one, and taking due polls one at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Member, Poll
from bot.services.access import Actor, require_member
from bot.services.audience import Audience
from bot.services.errors import NotAllowed, NotFound
from bot.settings import Settings

Event = TypeVar("Event")

# Members who count as the audience: approved, and paused (a break keeps your voice).
VOTING_STATUSES = ("approved", "paused")

# Someone still waiting for approval cannot see the polls channel: say why, and when it opens.
WAITING_FOR_APPROVAL = (
    "Your sign-up is still waiting for a worker to approve it. Polls open to you once it is "
    "approved: then you can see them and vote. You don't need to do anything else for now."
)


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

    @property
    def audience(self) -> Audience:
        """Return who may vote."""
        return Audience(self.audience_kind, self.audience_value)


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


def labels_for(poll: Poll | PollView, indexes: tuple[int, ...]) -> tuple[str, ...]:
    """Return the option labels for indexes."""
    return tuple(poll.options[i] for i in indexes if 0 <= i < len(poll.options))


async def voters_now(s: AsyncSession, poll: Poll) -> int:
    """Count the members who may vote in the poll right now."""
    return await Audience.of(poll).size(s, poll.guild_id, VOTING_STATUSES)


def when(moment: datetime, settings: Settings) -> str:
    """Say a moment in the server's time zone, as poll messages do."""
    return moment.astimezone(settings.tz).strftime("%A %d %B at %H:%M")


def refuse_pending(member: Member | None) -> None:
    """Tell someone whose sign-up is not yet approved that polls open to them after it."""
    if member is not None and member.status == "pending":
        raise NotAllowed(WAITING_FOR_APPROVAL)


async def member_of(s: AsyncSession, actor: Actor) -> Member | None:
    """Return the actor's membership row in this server, whatever its status."""
    member: Member | None = await s.scalar(
        select(Member).where(Member.guild_id == actor.guild_id, Member.user_id == actor.user_id)
    )
    return member


async def require_voter(s: AsyncSession, actor: Actor) -> Member:
    """Return the actor's membership, or explain what stands between them and polls."""
    refuse_pending(await member_of(s, actor))
    return await require_member(s, actor, allow_paused=True)


async def find_poll(s: AsyncSession, guild_id: int, poll_id: int, *, lock: bool = False) -> Poll:
    """Return a poll of this server (locked for update if asked), or say it is gone."""
    poll = await s.get(Poll, poll_id, with_for_update=lock or None)
    if poll is None or poll.guild_id != guild_id:
        raise NotFound("That poll doesn't exist any more.")
    return poll


async def take_each(
    db: async_sessionmaker[AsyncSession],
    due: Select[tuple[int]],
    take: Callable[[AsyncSession, int], Awaitable[Event | None]],
) -> list[Event]:
    """Take each due poll in its own transaction; one already taken elsewhere is skipped."""
    async with db.begin() as s:
        poll_ids = list(await s.scalars(due))
    events: list[Event] = []
    for poll_id in poll_ids:
        async with db.begin() as s:
            event = await take(s, poll_id)
        if event is not None:
            events.append(event)
    return events
