"""After a session: workers record who came and who helped, with their contributions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, Member, SessionAttendance
from bot.db.upsert import insert_for
from bot.services.access import Actor, require_worker
from bot.services.base import Service
from bot.services.contributions import record_contribution
from bot.services.errors import Conflict, InvalidInput
from bot.services.sessions.owed import FEEDBACK_DM, FEEDBACK_POST, owe_dm, owe_post
from bot.services.sessions.views import Recipient, SessionView, get_session, session_view


@dataclass(frozen=True)
class AttendanceOutcome:
    """Attendance as now recorded, and the newly marked attendees to send a feedback form."""

    session: SessionView
    attended: tuple[Recipient, ...]
    cofacilitators: tuple[int, ...]
    feedback_to: tuple[Recipient, ...]
    contributions_recorded: int


class AttendanceService(Service):
    """Workers record who came and who co-facilitated; attendees then get a feedback form."""

    async def _members(self, s: AsyncSession, guild_id: int, ids: set[int]) -> dict[int, Member]:
        if not ids:
            return {}
        found = {
            m.id: m
            for m in await s.scalars(
                select(Member).where(Member.id.in_(ids), Member.guild_id == guild_id)
            )
        }
        missing = ids - found.keys()
        if missing:
            raise InvalidInput("Some of the people chosen are not members of this group.")
        return found

    async def mark_attendance(
        self,
        actor: Actor,
        session_id: int,
        attended: Sequence[int],
        cofacilitators: Sequence[int] = (),
    ) -> AttendanceOutcome:
        """Set who attended and who co-facilitated; record their contributions with hours."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await get_session(s, actor.guild_id, session_id, lock=True)
            if gs.status != "scheduled":
                raise Conflict("This session was cancelled, so there is no attendance to mark.")
            if gs.starts_at > now:
                raise Conflict("You can mark attendance once the session has started.")
            helpers = set(cofacilitators)
            # Co-facilitating means being there: they count as attendees too.
            present = set(attended) | helpers
            members = await self._members(s, actor.guild_id, present)
            before = {
                a.member_id: a
                for a in await s.scalars(
                    select(SessionAttendance).where(SessionAttendance.session_id == gs.id)
                )
            }
            source = f"session:{gs.id}"
            gone = set(before) - present
            if gone:
                await s.execute(
                    delete(SessionAttendance).where(
                        SessionAttendance.session_id == gs.id,
                        SessionAttendance.member_id.in_(gone),
                    )
                )
            # Corrections take back what was recorded for this session only.
            undo = [(m, ContributionKind.SESSION_ATTENDED) for m in gone]
            undo += [
                (m, ContributionKind.SESSION_COFACILITATED)
                for m, row in before.items()
                if row.cofacilitated and m not in helpers
            ]
            for member_id, kind in undo:
                await s.execute(
                    delete(Contribution).where(
                        Contribution.member_id == member_id,
                        Contribution.kind == kind.value,
                        Contribution.source_key == source,
                    )
                )
            hours = (Decimal(gs.duration_minutes) / 60).quantize(Decimal("0.01"))
            recorded = 0
            for member_id in sorted(present):
                values = {
                    "cofacilitated": member_id in helpers,
                    "marked_by": actor.user_id,
                    "marked_at": now,
                }
                await s.execute(
                    insert_for(s, SessionAttendance)
                    .values(session_id=gs.id, member_id=member_id, **values)
                    .on_conflict_do_update(index_elements=["session_id", "member_id"], set_=values)
                )
                kinds = [ContributionKind.SESSION_ATTENDED]
                if member_id in helpers:
                    kinds.append(ContributionKind.SESSION_COFACILITATED)
                for kind in kinds:
                    recorded += await record_contribution(
                        s,
                        guild_id=actor.guild_id,
                        member_id=member_id,
                        kind=kind,
                        source_key=source,
                        occurred_at=gs.starts_at,
                        recorded_at=now,
                        hours=hours,
                        recorded_by=actor.user_id,
                    )
            gs.attendance_marked_at = now
            gs.wrapup_due_at = None
            gs.attendance_marked_by = actor.user_id
            self.audit(
                s, actor, "session.attendance", detail=f"session {gs.id}: {len(present)} attended"
            )

            def recipient(m: Member) -> Recipient:
                return Recipient(gs.id, m.id, m.user_id, m.preferred_name, None, m.dm_opt_in)

            attendees = tuple(recipient(members[m]) for m in sorted(present))
            outcome = AttendanceOutcome(
                session=await session_view(s, self.settings_for(gs.guild_id), gs),
                attended=attendees,
                cofacilitators=tuple(sorted(helpers)),
                feedback_to=tuple(a for a in attendees if a.member_id not in before),
                contributions_recorded=recorded,
            )
            # The feedback forms are owed with the attendance that earns them: DMs only to
            # those who opted in, and one invitation in the session's channel for everyone.
            for person in outcome.feedback_to:
                if person.dm_opt_in:
                    await owe_dm(self, s, gs, FEEDBACK_DM, person.member_id, dedup="once")
            if outcome.feedback_to:
                await owe_post(self, s, gs, FEEDBACK_POST, channel_id=gs.announce_channel_id)
        self.wake()
        return outcome
