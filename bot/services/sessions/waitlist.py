"""The waiting list: free places go to the earliest waiting, including places leavers held."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, Member, SessionRsvp
from bot.services.base import Service
from bot.services.outbox import owe
from bot.services.sessions.events import Promotion
from bot.services.sessions.owed import PROMOTED, owe_redraw
from bot.services.sessions.reminder_rows import refresh_reminders
from bot.services.sessions.views import (
    SessionView,
    confirmed_count,
    replies_with_members,
    session_view,
)
from bot.settings import Settings


async def promote(
    s: AsyncSession, settings: Settings, gs: GroupSession, now: datetime
) -> list[Member]:
    """Give free places to the earliest on the waitlist; owe each their news; return who moved."""
    moved: list[Member] = []
    if gs.status != "scheduled" or gs.starts_at <= now:
        return moved
    taken = await confirmed_count(s, gs.id)
    while gs.capacity is None or taken < gs.capacity:
        row = (
            await s.execute(
                replies_with_members()
                .where(SessionRsvp.session_id == gs.id, SessionRsvp.waitlisted.is_(True))
                .order_by(SessionRsvp.waitlisted_at, SessionRsvp.id)
                .limit(1)
            )
        ).first()
        if row is None:
            break
        rsvp, member = row
        rsvp.waitlisted, rsvp.waitlisted_at, rsvp.replied_at = False, None, now
        await s.flush()
        moved.append(member)
        taken += 1
        # Told in this transaction's outbox row: the place and the news commit together.
        await owe(
            s,
            guild_id=gs.guild_id,
            kind=PROMOTED,
            payload={"session_id": gs.id},
            now=now,
            subject_member_id=member.id,
        )
    if moved:
        await refresh_reminders(s, settings, gs, now, [m.id for m in moved])
    return moved


def promotions(view: SessionView, gs: GroupSession, moved: list[Member]) -> tuple[Promotion, ...]:
    """Return the news for each member who moved up (with the link they may now see)."""
    return tuple(Promotion(view, m.id, m.user_id, m.preferred_name, gs.online_link) for m in moved)


class WaitlistService(Service):
    """Places given up by people who left (or were erased) go to the next person waiting."""

    async def release_departed(self, now: datetime) -> list[Promotion]:
        """Free upcoming places held by people who left; offer every free place to the waitlist.

        Run by the scheduler's sweep: leaving is a membership action, and the database, not
        a call between features, records the work it leaves for sessions.
        """
        upcoming = select(GroupSession.id).where(
            GroupSession.status == "scheduled", GroupSession.starts_at > now
        )
        async with self.db.begin() as s:
            # The conditional update is the claim: a second sweep finds nothing to release.
            released = await s.execute(
                update(SessionRsvp)
                .where(
                    SessionRsvp.member_id.in_(select(Member.id).where(Member.status == "left")),
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
                    .where(SessionRsvp.waitlisted.is_(True), SessionRsvp.session_id.in_(upcoming))
                    .distinct()
                )
            )
            found: list[Promotion] = []
            for session_id in sorted(set(by_session) | waiting):
                # Locked, so that two sweeps at once cannot give the same place twice.
                gs = await s.scalar(
                    select(GroupSession).where(GroupSession.id == session_id).with_for_update()
                )
                if gs is None:
                    continue
                moved = await promote(s, self.settings_for(gs.guild_id), gs, now)
                if session_id in by_session:
                    await refresh_reminders(
                        s, self.settings_for(gs.guild_id), gs, now, by_session[session_id]
                    )
                if moved:
                    found.extend(
                        promotions(
                            await session_view(s, self.settings_for(gs.guild_id), gs), gs, moved
                        )
                    )
                if moved or session_id in by_session:
                    await owe_redraw(self, s, gs)
            return found
