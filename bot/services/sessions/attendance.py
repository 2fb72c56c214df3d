"""After a session: attendance and co-facilitators, feedback from attendees, minutes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import (
    AuditEntry,
    Contribution,
    GroupSession,
    Member,
    SessionAttendance,
    SessionFeedback,
)
from bot.db.upsert import insert_for
from bot.services.access import Actor, require_member, require_worker
from bot.services.contributions import record_contribution
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.sessions.common import (
    COMMENT_MAX,
    LISTENED,
    MINUTES_MAX,
    Recipient,
    SessionsBase,
    SessionView,
)
from bot.services.text import clean_text


@dataclass(frozen=True)
class AttendanceOutcome:
    """Attendance as now recorded, and the newly marked attendees to send a feedback form."""

    session: SessionView
    attended: tuple[Recipient, ...]
    cofacilitators: tuple[int, ...]
    feedback_to: tuple[Recipient, ...]
    contributions_recorded: int


@dataclass(frozen=True)
class FeedbackSummary:
    """What attendees said, without names."""

    session: SessionView
    responses: int
    average_rating: float | None
    ratings: dict[int, int]
    listened: dict[str, int]
    comments: tuple[str, ...]


@dataclass(frozen=True)
class MinutesOutcome:
    """Minutes as stored, and where to announce them."""

    session: SessionView
    minutes: str
    first_time: bool
    announcements_channel_id: int | None
    sessions_channel_id: int | None


class AttendanceMixin(SessionsBase):
    """Workers record who came and who helped; attendees give feedback; minutes are posted."""

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
            gs = await self._get(s, actor.guild_id, session_id, lock=True)
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
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="session.attendance",
                    detail=f"session {gs.id}: {len(present)} attended",
                    at=now,
                )
            )

            def recipient(m: Member) -> Recipient:
                return Recipient(gs.id, m.id, m.user_id, m.preferred_name, None, m.dm_opt_in)

            attendees = tuple(recipient(members[m]) for m in sorted(present))
            return AttendanceOutcome(
                session=await self._one_view(s, gs),
                attended=attendees,
                cofacilitators=tuple(sorted(helpers)),
                feedback_to=tuple(a for a in attendees if a.member_id not in before),
                contributions_recorded=recorded,
            )

    async def submit_feedback(
        self,
        actor: Actor,
        session_id: int,
        rating: int,
        listened: str,
        comment: str | None = None,
    ) -> None:
        """Store an attendee's feedback once: how it was (1-5), felt listened to, anything else."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidInput("Please choose how it was from 1 (not good) to 5 (very good).")
        if listened not in LISTENED:
            raise InvalidInput("Please say whether you felt listened to: yes, partly or no.")
        text = clean_text(
            comment, field="your comment", max_length=COMMENT_MAX, required=False, multiline=True
        )
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            gs = await self._get(s, actor.guild_id, session_id)
            came = await s.scalar(
                select(SessionAttendance.id).where(
                    SessionAttendance.session_id == gs.id,
                    SessionAttendance.member_id == member.id,
                )
            )
            if came is None:
                raise NotAllowed(
                    "Feedback is for people who were marked as attending this session."
                )
            result = await s.execute(
                insert_for(s, SessionFeedback)
                .values(
                    session_id=gs.id,
                    member_id=member.id,
                    rating=rating,
                    listened=listened,
                    comment=text,
                    given_at=now,
                )
                .on_conflict_do_nothing(index_elements=["session_id", "member_id"])
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise Conflict("You've already given feedback on this session. Thank you!")

    async def feedback_summary(self, actor: Actor, session_id: int) -> FeedbackSummary:
        """Summarise a session's feedback for workers, without names."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await self._get(s, actor.guild_id, session_id)
            rows = list(
                await s.scalars(
                    select(SessionFeedback)
                    .where(SessionFeedback.session_id == gs.id)
                    .order_by(SessionFeedback.given_at)
                )
            )
            ratings = {n: sum(1 for r in rows if r.rating == n) for n in range(1, 6)}
            return FeedbackSummary(
                session=await self._one_view(s, gs),
                responses=len(rows),
                average_rating=round(sum(r.rating for r in rows) / len(rows), 2) if rows else None,
                ratings=ratings,
                listened={k: sum(1 for r in rows if r.listened == k) for k in LISTENED},
                comments=tuple(r.comment for r in rows if r.comment),
            )

    async def post_minutes(self, actor: Actor, session_id: int, minutes: str) -> MinutesOutcome:
        """Store the minutes of a session (replacing earlier ones); say where to announce them."""
        from bot.services.access import guild_config

        text = clean_text(minutes, field="the minutes", max_length=MINUTES_MAX, multiline=True)
        assert text is not None
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            config = await guild_config(s, actor.guild_id)
            gs = await self._get(s, actor.guild_id, session_id, lock=True)
            if gs.status != "scheduled":
                raise Conflict("This session was cancelled, so it has no minutes.")
            if gs.starts_at > now:
                raise Conflict("Minutes can be posted once the session has started.")
            first = gs.minutes_posted_at is None
            gs.minutes, gs.minutes_posted_at, gs.minutes_posted_by = text, now, actor.user_id
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="session.minutes",
                    detail=f"session {gs.id}",
                    at=now,
                )
            )
            return MinutesOutcome(
                session=await self._one_view(s, gs),
                minutes=text,
                first_time=first,
                announcements_channel_id=config.announcements_channel_id,
                sessions_channel_id=config.sessions_channel_id,
            )

    # ---- Discord bookkeeping (called by the cog, no actor: the bot itself) -------------------

    async def set_discord_event(self, session_id: int, event_id: int | None) -> None:
        """Remember the Discord scheduled event that mirrors a session."""
        async with self.db.begin() as s:
            gs = await s.get(GroupSession, session_id)
            if gs is not None:
                gs.discord_event_id = event_id

    async def set_announcement(self, session_id: int, channel_id: int, message_id: int) -> None:
        """Remember where a session's announcement (with its reply buttons) was posted."""
        async with self.db.begin() as s:
            gs = await s.get(GroupSession, session_id)
            if gs is not None:
                gs.announce_channel_id, gs.announce_message_id = channel_id, message_id

    async def needs_attention(
        self, guild_id: int, now: datetime | None = None
    ) -> list[SessionView]:
        """List ended sessions whose attendance has not been marked yet (for workers)."""
        moment = now or self.clock.now()
        async with self.db.begin() as s:
            rows = list(
                await s.scalars(
                    select(GroupSession)
                    .where(
                        GroupSession.guild_id == guild_id,
                        GroupSession.status == "scheduled",
                        GroupSession.ends_at <= moment,
                        GroupSession.attendance_marked_at.is_(None),
                    )
                    .order_by(GroupSession.starts_at)
                    .limit(25)
                )
            )
            return await self._views(s, rows)
