"""Replies that arrive together, decided in one transaction in the order they arrived.

A session's announcement gets its replies in bursts (everyone presses Going when it goes up).
Each burst shares one transaction (bot/db/group_commit.py, one lane per session): the
server's set-up, the session (locked, so capacity holds across processes too), the members
and their earlier replies are read once; each reply is then decided in arrival order with
the places counted as it goes; the replies are written in one statement, and counts,
reminders and the redraw of the announcement are done once. Nobody is answered before that
transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, Member, SessionRsvp
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config
from bot.services.audience import Audience
from bot.services.base import Service
from bot.services.errors import Conflict, NotAllowed, ServiceError
from bot.services.sessions.calendar import calendar_for
from bot.services.sessions.events import Promotion
from bot.services.sessions.owed import owe_redraw
from bot.services.sessions.reminder_rows import refresh_reminders
from bot.services.sessions.views import (
    SessionView,
    confirmed_count,
    get_session,
    session_view,
    waiting_count,
)
from bot.services.sessions.waitlist import promote, promotions

# Why a member may not reply, by their membership status (as require_member says it).
REFUSALS = {
    None: "You need to join the group first: use /join to sign up.",
    "left": "You need to join the group first: use /join to sign up.",
    "pending": "Your sign-up is still waiting for a worker to approve it.",
    "declined": "Your sign-up was not approved, so this is not available to you.",
    "paused": "You are on a break. Use /resume when you want to take part again.",
}
Request = tuple[Actor, int, str]  # (who, session, going | maybe | cant)


@dataclass(frozen=True)
class CalendarFile:
    """An .ics file ready to attach."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class RsvpOutcome:
    """The member's reply as stored, their place, and anyone promoted by it."""

    session: SessionView
    reply: str
    waitlisted: bool
    waitlist_position: int | None
    changed: bool
    online_link: str | None
    promoted: tuple[Promotion, ...]
    # The session for their calendar (with the link), when the reply holds a place.
    calendar: CalendarFile | None = None


@dataclass
class _Reply:
    """A member's reply as the batch has it so far."""

    reply: str
    waitlisted: bool
    waitlisted_at: datetime | None

    @property
    def has_place(self) -> bool:
        return self.reply == "going" and not self.waitlisted


@dataclass(frozen=True)
class _Decided:
    member_id: int
    reply: str
    waitlisted: bool
    changed: bool
    moved: list[Member]


def _closed(gs: GroupSession, now: datetime) -> ServiceError | None:
    if gs.status != "scheduled":
        return Conflict("This session has been cancelled, so replies are closed.")
    if gs.starts_at <= now:
        return Conflict("This session has already started, so replies are closed.")
    return None


class _Replies:
    """One batch's view of the session: replies decided so far and places taken."""

    def __init__(self, s: AsyncSession, service: Service, gs: GroupSession, now: datetime):
        self.s, self.service, self.gs, self.now = s, service, gs, now
        self.state: dict[int, _Reply] = {}
        self.unwritten: dict[int, _Reply] = {}
        self.taken = 0
        self.waiting = 0

    async def load(self, member_ids: list[int]) -> None:
        """Read the members' earlier replies, and the places taken when there is a limit."""
        rows = await self.s.execute(
            select(
                SessionRsvp.member_id,
                SessionRsvp.reply,
                SessionRsvp.waitlisted,
                SessionRsvp.waitlisted_at,
            ).where(SessionRsvp.session_id == self.gs.id, SessionRsvp.member_id.in_(member_ids))
        )
        self.state = {m: _Reply(r, w, at) for m, r, w, at in rows}
        if self.gs.capacity is not None:
            self.taken = await confirmed_count(self.s, self.gs.id)
        self.waiting = await waiting_count(self.s, self.gs.id)

    async def decide(self, member_id: int, reply: str) -> _Decided:
        """Decide one reply as if it were alone: same press keeps, going may wait, leavers free."""
        before = self.state.get(member_id)
        if before is not None and before.reply == reply:
            # Pressing the same button again keeps the place (or the waitlist position).
            return _Decided(member_id, reply, before.waitlisted, False, [])
        full = reply == "going" and self.gs.capacity is not None and self.taken >= self.gs.capacity
        after = _Reply(reply, full, self.now if full else None)
        self.state[member_id] = self.unwritten[member_id] = after
        held = before is not None and before.has_place
        self.taken += int(after.has_place) - int(held)
        self.waiting += int(after.waitlisted) - int(before is not None and before.waitlisted)
        moved: list[Member] = []
        if held and not after.has_place and self.waiting:
            # A place came free: the earliest waiting gets it, exactly as for a single reply.
            await self.write()
            group = self.service.settings_for(self.gs.guild_id)
            moved = await promote(self.s, group, self.gs, self.now)
            for m in moved:
                if m.id in self.state:
                    self.state[m.id] = _Reply("going", False, None)
            self.taken += len(moved)
            self.waiting -= len(moved)
        return _Decided(member_id, reply, full, True, moved)

    async def write(self) -> None:
        """Write the replies decided since the last write, in one statement."""
        if not self.unwritten:
            return
        rows = [
            {
                "session_id": self.gs.id,
                "member_id": member_id,
                "reply": r.reply,
                "waitlisted": r.waitlisted,
                "waitlisted_at": r.waitlisted_at,
                "replied_at": self.now,
            }
            for member_id, r in self.unwritten.items()
        ]
        self.unwritten = {}
        table: Any = SessionRsvp.__table__
        statement = insert_for(self.s, table)
        # ON CONFLICT: a reply from another transaction at the same moment leaves one row.
        changed = ("reply", "waitlisted", "waitlisted_at", "replied_at")
        await self.s.execute(
            statement.on_conflict_do_update(
                index_elements=["session_id", "member_id"],
                set_={c: statement.excluded[c] for c in changed},
            ),
            rows,
        )

    async def positions(self) -> dict[int, int]:
        """Return each waiting member's place in the queue (1 is next)."""
        queue = await self.s.scalars(
            select(SessionRsvp.member_id)
            .where(SessionRsvp.session_id == self.gs.id, SessionRsvp.waitlisted.is_(True))
            .order_by(SessionRsvp.waitlisted_at, SessionRsvp.id)
        )
        return {member_id: n for n, member_id in enumerate(queue, start=1)}


async def _members(s: AsyncSession, guild_id: int, actors: list[Actor]) -> dict[int, Any]:
    rows = await s.execute(
        select(Member.id, Member.user_id, Member.status, Member.locality, Member.level_key).where(
            Member.guild_id == guild_id, Member.user_id.in_({a.user_id for a in actors})
        )
    )
    return {row.user_id: row for row in rows}


async def _open_session(
    s: AsyncSession, guild_id: int, session_id: int, now: datetime
) -> GroupSession | ServiceError:
    """Return the session, locked, or why nobody can reply to it."""
    try:
        gs = await get_session(s, guild_id, session_id, lock=True)
    except ServiceError as exc:
        return exc
    return _closed(gs, now) or gs


def _refusal(
    member: Any, found: GroupSession | ServiceError, service: Service
) -> ServiceError | None:
    """Return why this member may not reply (in require_member's order), or None."""
    status = None if member is None else member.status
    if status in REFUSALS:
        return NotAllowed(REFUSALS[status])
    if isinstance(found, ServiceError):
        return found
    audience = Audience.of(found)
    if not audience.includes(member):
        who = audience.describe(service.settings_for(found.guild_id))
        return NotAllowed(f"This session is for {who}, so you can't reply.")
    return None


async def decide_replies(
    service: Service, requests: Sequence[Request]
) -> list[RsvpOutcome | Exception]:
    """Record a burst of replies to one session in one transaction; return each one's outcome."""
    guild_id, session_id = requests[0][0].guild_id, requests[0][1]
    now = service.clock.now()
    done: dict[int, RsvpOutcome | Exception] = {}
    decided: dict[int, _Decided] = {}
    async with service.db.begin() as s:
        try:
            await guild_config(s, guild_id)
        except ServiceError as exc:
            return [exc for _ in requests]
        members = await _members(s, guild_id, [actor for actor, _, _ in requests])
        found = await _open_session(s, guild_id, session_id, now)
        replies = None
        if isinstance(found, GroupSession):
            gs = found
            replies = _Replies(s, service, gs, now)
            await replies.load([m.id for m in members.values()])
        for index, (actor, _, reply) in enumerate(requests):
            member = members.get(actor.user_id)
            refused = _refusal(member, found, service)
            if refused is not None:
                done[index] = refused
                continue
            assert replies is not None and member is not None  # an open session, a member
            decided[index] = await replies.decide(member.id, reply)
        if replies is None or not decided:
            return [done[index] for index in range(len(requests))]
        await replies.write()
        touched = sorted({d.member_id for d in decided.values() if d.changed})
        # The scheduler is woken only for timed rows it does not know of yet: a redraw still
        # pending covers this burst too, and most replies change no reminder.
        wake = await refresh_reminders(s, service.settings_for(gs.guild_id), gs, now, touched)
        wake |= any(d.moved for d in decided.values())
        waiting = any(d.waitlisted for d in decided.values())
        queue = await replies.positions() if waiting else {}
        view = await session_view(s, service.settings_for(gs.guild_id), gs)
        if touched:
            wake |= await owe_redraw(service, s, gs)
    calendar = None
    for index, d in decided.items():
        place = d.reply == "going" and not d.waitlisted
        if place and calendar is None:
            # The same file for everyone with a place in this batch: built once.
            content = calendar_for(view, now, gs.online_link)
            calendar = CalendarFile(f"session-{gs.id}.ics", content)
        done[index] = RsvpOutcome(
            session=view,
            reply=d.reply,
            waitlisted=d.waitlisted,
            waitlist_position=queue.get(d.member_id) if d.waitlisted else None,
            changed=d.changed,
            online_link=gs.online_link if place else None,
            promoted=promotions(view, gs, d.moved),
            calendar=calendar if place else None,
        )
    if wake:
        service.wake()
    return [done[index] for index in range(len(requests))]
