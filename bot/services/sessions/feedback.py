"""Feedback from attendees: given once, summarised for workers without names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import SessionAttendance, SessionFeedback
from bot.services.access import Actor, require_member, require_worker
from bot.services.base import Service, insert_once
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.sessions.forms import COMMENT_MAX, LISTENED
from bot.services.sessions.views import SessionView, get_session, session_view
from bot.services.text import clean_text


@dataclass(frozen=True)
class FeedbackSummary:
    """What attendees said, without names."""

    session: SessionView
    responses: int
    average_rating: float | None
    ratings: dict[int, int]
    listened: dict[str, int]
    comments: tuple[str, ...]


class FeedbackService(Service):
    """Attendees say how a session was; workers read what they said, without names."""

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
            gs = await get_session(s, actor.guild_id, session_id)
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
            added = await insert_once(
                s,
                SessionFeedback,
                ["session_id", "member_id"],
                session_id=gs.id,
                member_id=member.id,
                rating=rating,
                listened=listened,
                comment=text,
                given_at=now,
            )
            if not added:
                raise Conflict("You've already given feedback on this session. Thank you!")

    async def feedback_summary(self, actor: Actor, session_id: int) -> FeedbackSummary:
        """Summarise a session's feedback for workers, without names."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            gs = await get_session(s, actor.guild_id, session_id)
            rows = list(
                await s.scalars(
                    select(SessionFeedback)
                    .where(SessionFeedback.session_id == gs.id)
                    .order_by(SessionFeedback.given_at)
                )
            )
            ratings = {n: sum(1 for r in rows if r.rating == n) for n in range(1, 6)}
            return FeedbackSummary(
                session=await session_view(s, self.settings_for(gs.guild_id), gs),
                responses=len(rows),
                average_rating=round(sum(r.rating for r in rows) / len(rows), 2) if rows else None,
                ratings=ratings,
                listened={k: sum(1 for r in rows if r.listened == k) for k in LISTENED},
                comments=tuple(r.comment for r in rows if r.comment),
            )
