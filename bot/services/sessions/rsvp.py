"""Replies to sessions: going / maybe / can't, capacity, the waitlist and what members see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, Member, SessionAttendance, SessionRsvp
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config, is_worker, require_member, require_worker
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.membership.service import ADJUSTMENTS
from bot.services.sessions.calendar import session_ics
from bot.services.sessions.common import (
    REPLIES,
    Promotion,
    SessionsBase,
    SessionView,
    in_audience,
)
from bot.services.sessions.reminders import refresh_reminders
from bot.settings import Settings

UPCOMING_LIMIT = 25


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


@dataclass(frozen=True)
class MemberSession:
    """An upcoming session with the member's own reply (for /sessions)."""

    session: SessionView
    reply: str | None
    waitlisted: bool
    online_link: str | None


@dataclass(frozen=True)
class AttendeeView:
    """Someone who replied, with the adjustments the worker running it should know about."""

    member_id: int
    user_id: int
    preferred_name: str
    pronouns: str | None
    reply: str
    waitlisted: bool
    adjustments: tuple[str, ...]
    adjustments_note: str | None
    # What a worker already saved: None until attendance is first marked for the session.
    attended: bool | None = None
    cofacilitated: bool = False


@dataclass(frozen=True)
class CalendarFile:
    """An .ics file ready to attach."""

    filename: str
    content: bytes


async def confirmed_count(s: AsyncSession, session_id: int) -> int:
    """Count members with a confirmed place."""
    return int(
        await s.scalar(
            select(func.count()).where(
                SessionRsvp.session_id == session_id,
                SessionRsvp.reply == "going",
                SessionRsvp.waitlisted.is_(False),
            )
        )
        or 0
    )


async def promote(
    s: AsyncSession, settings: Settings, gs: GroupSession, now: datetime
) -> list[tuple[Member, SessionRsvp]]:
    """Give free places to the earliest on the waitlist; return who moved up."""
    moved: list[tuple[Member, SessionRsvp]] = []
    if gs.status != "scheduled" or gs.starts_at <= now:
        return moved
    taken = await confirmed_count(s, gs.id)
    while gs.capacity is None or taken < gs.capacity:
        row = (
            await s.execute(
                select(SessionRsvp, Member)
                .join(Member, Member.id == SessionRsvp.member_id)
                .where(SessionRsvp.session_id == gs.id, SessionRsvp.waitlisted.is_(True))
                .order_by(SessionRsvp.waitlisted_at, SessionRsvp.id)
                .limit(1)
            )
        ).first()
        if row is None:
            break
        rsvp, member = row
        rsvp.waitlisted = False
        rsvp.waitlisted_at = None
        rsvp.replied_at = now
        await s.flush()
        moved.append((member, rsvp))
        taken += 1
    if moved:
        await refresh_reminders(s, settings, gs, now, [m.id for m, _ in moved])
    return moved


class RsvpMixin(SessionsBase):
    """Members reply to sessions and see what is coming up; workers see who is coming."""

    def _promotions(
        self, view: SessionView, gs: GroupSession, moved: list[tuple[Member, SessionRsvp]]
    ) -> tuple[Promotion, ...]:
        return tuple(
            Promotion(
                session=view,
                member_id=m.id,
                user_id=m.user_id,
                preferred_name=m.preferred_name,
                online_link=gs.online_link,
            )
            for m, _ in moved
        )

    async def release_departed(self, now: datetime) -> list[Promotion]:
        """Free upcoming places held by people who left; offer every free place to the waitlist.

        Run by the scheduler's sweep: leaving is a membership action, and the database, not
        a call between features, records the work it leaves for sessions.
        """
        async with self.db.begin() as s:
            left = select(Member.id).where(Member.status == "left")
            upcoming = select(GroupSession.id).where(
                GroupSession.status == "scheduled", GroupSession.starts_at > now
            )
            # The conditional update is the claim: a second sweep finds nothing to release.
            released = await s.execute(
                update(SessionRsvp)
                .where(
                    SessionRsvp.member_id.in_(left),
                    SessionRsvp.session_id.in_(upcoming),
                    SessionRsvp.reply != "cant",
                )
                .values(reply="cant", waitlisted=False, waitlisted_at=None, replied_at=now)
                .returning(SessionRsvp.session_id, SessionRsvp.member_id)
                .execution_options(synchronize_session=False)
            )
            by_session: dict[int, list[int]] = {}
            for session_id, member_id in released.all():
                by_session.setdefault(session_id, []).append(member_id)
            # Any upcoming session with someone waiting may have a free place now (a leaver's,
            # or one given up by erasure): fill it.
            waiting = set(
                await s.scalars(
                    select(SessionRsvp.session_id)
                    .join(GroupSession, GroupSession.id == SessionRsvp.session_id)
                    .where(
                        SessionRsvp.waitlisted.is_(True),
                        GroupSession.status == "scheduled",
                        GroupSession.starts_at > now,
                    )
                    .distinct()
                )
            )
            promotions: list[Promotion] = []
            for session_id in sorted(set(by_session) | waiting):
                # Locked, so that two sweeps at once cannot give the same place twice.
                gs = await s.scalar(
                    select(GroupSession).where(GroupSession.id == session_id).with_for_update()
                )
                if gs is None:
                    continue
                moved = await promote(s, self.settings, gs, now)
                if session_id in by_session:
                    await refresh_reminders(s, self.settings, gs, now, by_session[session_id])
                if moved:
                    view = await self._one_view(s, gs)
                    promotions.extend(self._promotions(view, gs, moved))
            return promotions

    async def rsvp(self, actor: Actor, session_id: int, reply: str) -> RsvpOutcome:
        """Record a member's reply (one per member per session); fill or free places."""
        if reply not in REPLIES:
            raise InvalidInput("Please choose going, maybe or can't go.")
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor, allow_paused=False)
            gs = await self._get(s, actor.guild_id, session_id, lock=True)
            if gs.status != "scheduled":
                raise Conflict("This session has been cancelled, so replies are closed.")
            if gs.starts_at <= now:
                raise Conflict("This session has already started, so replies are closed.")
            if not in_audience(gs, member):
                view = self._view(gs, {})
                raise NotAllowed(f"This session is for {view.audience_text}, so you can't reply.")
            existing = await s.scalar(
                select(SessionRsvp).where(
                    SessionRsvp.session_id == gs.id, SessionRsvp.member_id == member.id
                )
            )
            was_confirmed = (
                existing is not None and existing.reply == "going" and not existing.waitlisted
            )
            changed = True
            if existing is not None and existing.reply == reply:
                # Pressing the same button again keeps the place (or the waitlist position).
                waitlisted, waitlisted_at, changed = (
                    existing.waitlisted,
                    existing.waitlisted_at,
                    False,
                )
            elif reply == "going":
                full = gs.capacity is not None and await confirmed_count(s, gs.id) >= gs.capacity
                waitlisted, waitlisted_at = full, (now if full else None)
            else:
                waitlisted, waitlisted_at = False, None
            if changed:
                values = {
                    "reply": reply,
                    "waitlisted": waitlisted,
                    "waitlisted_at": waitlisted_at,
                    "replied_at": now,
                }
                # ON CONFLICT: two presses at the same moment leave one row, not two.
                await s.execute(
                    insert_for(s, SessionRsvp)
                    .values(session_id=gs.id, member_id=member.id, **values)
                    .on_conflict_do_update(index_elements=["session_id", "member_id"], set_=values)
                )
            moved = []
            if was_confirmed and reply != "going":
                moved = await promote(s, self.settings, gs, now)
            await refresh_reminders(s, self.settings, gs, now, [member.id])
            position = None
            if waitlisted:
                queue = list(
                    await s.scalars(
                        select(SessionRsvp.member_id)
                        .where(SessionRsvp.session_id == gs.id, SessionRsvp.waitlisted.is_(True))
                        .order_by(SessionRsvp.waitlisted_at, SessionRsvp.id)
                    )
                )
                position = queue.index(member.id) + 1
            view = await self._one_view(s, gs)
            confirmed = reply == "going" and not waitlisted
            return RsvpOutcome(
                session=view,
                reply=reply,
                waitlisted=waitlisted,
                waitlist_position=position,
                changed=changed,
                online_link=gs.online_link if confirmed else None,
                promoted=self._promotions(view, gs, moved),
            )

    async def upcoming(self, actor: Actor) -> list[MemberSession]:
        """List sessions coming up for the member, with their replies, soonest first."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            rows = list(
                await s.scalars(
                    select(GroupSession)
                    .where(
                        GroupSession.guild_id == actor.guild_id,
                        GroupSession.status == "scheduled",
                        GroupSession.ends_at > now,
                    )
                    .order_by(GroupSession.starts_at, GroupSession.id)
                )
            )
            rows = [r for r in rows if in_audience(r, member)][:UPCOMING_LIMIT]
            replies = {
                r.session_id: r
                for r in await s.scalars(
                    select(SessionRsvp).where(
                        SessionRsvp.member_id == member.id,
                        SessionRsvp.session_id.in_([r.id for r in rows]),
                    )
                )
            }
            views = await self._views(s, rows)
            items = []
            for gs, view in zip(rows, views, strict=True):
                mine = replies.get(gs.id)
                confirmed = mine is not None and mine.reply == "going" and not mine.waitlisted
                items.append(
                    MemberSession(
                        session=view,
                        reply=mine.reply if mine else None,
                        waitlisted=bool(mine and mine.waitlisted),
                        online_link=gs.online_link if confirmed else None,
                    )
                )
            return items

    async def attendees(self, actor: Actor, session_id: int) -> list[AttendeeView]:
        """List who replied, with their reasonable adjustments, for the workers."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await self._get(s, actor.guild_id, session_id)
            rows = await s.execute(
                select(SessionRsvp, Member)
                .join(Member, Member.id == SessionRsvp.member_id)
                .where(SessionRsvp.session_id == gs.id)
                .order_by(SessionRsvp.waitlisted, SessionRsvp.reply, Member.preferred_name)
            )
            marked = {
                member_id: helped
                for member_id, helped in await s.execute(
                    select(SessionAttendance.member_id, SessionAttendance.cofacilitated).where(
                        SessionAttendance.session_id == gs.id
                    )
                )
            }
            already = gs.attendance_marked_at is not None or bool(marked)
            return [
                AttendeeView(
                    member_id=m.id,
                    user_id=m.user_id,
                    preferred_name=m.preferred_name,
                    pronouns=m.pronouns,
                    reply=r.reply,
                    waitlisted=r.waitlisted,
                    adjustments=tuple(ADJUSTMENTS.get(a, a) for a in m.adjustments or []),
                    adjustments_note=m.adjustments_note,
                    attended=(m.id in marked) if already else None,
                    cofacilitated=marked.get(m.id, False),
                )
                for r, m in rows.all()
            ]

    async def _may_see_link(self, s: AsyncSession, actor: Actor, gs: GroupSession) -> bool:
        if is_worker(await guild_config(s, actor.guild_id), actor):
            return True
        member = await require_member(s, actor)
        mine = await s.scalar(
            select(SessionRsvp).where(
                SessionRsvp.session_id == gs.id, SessionRsvp.member_id == member.id
            )
        )
        return mine is not None and mine.reply == "going" and not mine.waitlisted

    async def online_link(self, actor: Actor, session_id: int) -> str | None:
        """Return the joining link to a worker or a confirmed attendee, else None."""
        async with self.db.begin() as s:
            gs = await self._get(s, actor.guild_id, session_id)
            return gs.online_link if await self._may_see_link(s, actor, gs) else None

    async def calendar_file(self, actor: Actor, session_id: int) -> CalendarFile:
        """Return the session as an .ics file (with the link only for confirmed attendees)."""
        async with self.db.begin() as s:
            gs = await self._get(s, actor.guild_id, session_id)
            link = gs.online_link if await self._may_see_link(s, actor, gs) else None
            content = session_ics(
                session_id=gs.id,
                guild_id=gs.guild_id,
                title=gs.title,
                starts_at=gs.starts_at,
                ends_at=gs.ends_at,
                stamp=self.clock.now(),
                sequence=gs.sequence,
                agenda=gs.agenda,
                place=gs.place,
                online_link=link,
                papers_url=gs.papers_url,
                cancelled=gs.status == "cancelled",
            )
            return CalendarFile(filename=f"session-{gs.id}.ics", content=content)
