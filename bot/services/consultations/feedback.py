""" "You said, we did": publishing feedback after close, and reminding workers when it is late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update

from bot.db.models import (
    Consultation,
    ConsultationFeedback,
    ConsultationParticipant,
    GuildConfig,
    Member,
)
from bot.services.access import Actor, guild_config, require_worker
from bot.services.base import claim, insert_once
from bot.services.consultations.common import (
    TEXT_MAX,
    ConsultationBase,
    ConsultationView,
    participants,
)
from bot.services.consultations.owed import owe_feedback, owe_overdue
from bot.services.errors import Conflict, NotFound
from bot.services.text import clean_text


@dataclass(frozen=True)
class FeedbackView:
    """A published "you said, we did"."""

    consultation_id: int
    title: str
    said: str
    did: str
    could_not: str
    published_at: datetime
    days_to_feedback: int


@dataclass(frozen=True)
class FeedbackPublished:
    """Feedback to post to announcements and to DM to respondents who opted in."""

    feedback: FeedbackView
    announcements_channel_id: int | None
    dm_user_ids: tuple[int, ...]
    respondents: int


def _feedback_view(row: Consultation, fb: ConsultationFeedback) -> FeedbackView:
    return FeedbackView(
        row.id, row.title, fb.said, fb.did, fb.could_not, fb.published_at, fb.days_to_feedback
    )


def _unreminded() -> list[ColumnElement[bool]]:
    # Closed, no feedback yet and no reminder sent: the rows a reminder may still fall due for
    # (on a query outer-joined to ConsultationFeedback).
    return [
        Consultation.status == "closed",
        Consultation.review_reminded_at.is_(None),
        ConsultationFeedback.consultation_id.is_(None),
    ]


class ConsultationFeedbackService(ConsultationBase):
    """Close the loop: tell people what changed because they spoke up."""

    async def publish(
        self, actor: Actor, consultation_id: int, said: str, did: str, could_not: str
    ) -> FeedbackPublished:
        """Publish feedback once, after close; return where to post it and whom to DM."""
        texts = {
            "said": clean_text(said, field="what people said", max_length=TEXT_MAX, multiline=True),
            "did": clean_text(did, field="what we did", max_length=TEXT_MAX, multiline=True),
            "could_not": clean_text(
                could_not,
                field="what we could not do and why",
                max_length=TEXT_MAX,
                multiline=True,
            ),
        }
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            row = await self._load(s, actor.guild_id, consultation_id)
            if row.status != "closed":
                raise Conflict(
                    "Feedback can be published once the consultation has closed. "
                    "Close it early with /consult close if you're ready."
                )
            closed = row.closed_at or now
            days = max((now - closed).days, 0)
            inserted = await insert_once(
                s,
                ConsultationFeedback,
                ["consultation_id"],
                consultation_id=row.id,
                published_by=actor.user_id,
                published_at=now,
                days_to_feedback=days,
                **texts,
            )
            if not inserted:
                raise Conflict("Feedback for this consultation has already been published.")
            fb = await s.get(ConsultationFeedback, row.id)
            assert fb is not None
            self.audit(s, actor, "consultation.feedback", detail=f"consultation {row.id}")
            found = await s.execute(
                select(Member.id, Member.user_id)
                .join(ConsultationParticipant, ConsultationParticipant.member_id == Member.id)
                .where(
                    ConsultationParticipant.consultation_id == row.id,
                    Member.dm_opt_in.is_(True),
                    Member.status.in_(["approved", "paused"]),
                )
                .order_by(Member.user_id)
            )
            recipients = [(member_id, user_id) for member_id, user_id in found.all()]
            # Owed with the publication itself: posted and DMed once, whatever Discord does.
            await owe_feedback(self, s, row, config.announcements_channel_id, recipients)
            published = FeedbackPublished(
                feedback=_feedback_view(row, fb),
                announcements_channel_id=config.announcements_channel_id,
                dm_user_ids=tuple(user_id for _, user_id in recipients),
                respondents=await participants(s, row.id),
            )
        self.wake()  # its post and DMs are owed; its review-date reminder is no longer due
        return published

    async def for_delivery(self, guild_id: int, consultation_id: int) -> FeedbackView | None:
        """Return published feedback for the outbox to send (None if there is none)."""
        async with self.db.begin() as s:
            row = await s.get(Consultation, consultation_id)
            fb = await s.get(ConsultationFeedback, consultation_id)
            if row is None or fb is None or row.guild_id != guild_id:
                return None
            return _feedback_view(row, fb)

    async def feedback(self, actor: Actor, consultation_id: int) -> FeedbackView:
        """Return the published feedback to anyone in the server."""
        async with self.db.begin() as s:
            await guild_config(s, actor.guild_id)
            row = await self._load(s, actor.guild_id, consultation_id)
            fb = await s.get(ConsultationFeedback, row.id)
            if fb is None:
                raise NotFound("No feedback has been published for this consultation yet.")
            return _feedback_view(row, fb)

    async def awaiting_feedback(self, actor: Actor) -> list[ConsultationView]:
        """List closed consultations that still need their "you said, we did"."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(Consultation)
                .outerjoin(ConsultationFeedback)
                .where(
                    Consultation.guild_id == actor.guild_id,
                    Consultation.status == "closed",
                    ConsultationFeedback.consultation_id.is_(None),
                )
                .order_by(Consultation.review_date)
                .limit(25)
            )
            return [await self._view(s, r) for r in rows]


class FeedbackReminders(ConsultationBase):
    """A DueSource: remind workers once when the review date passes with no feedback."""

    name = "consultations.feedback_reminder"
    emits: tuple[type, ...] = ()  # the reminder goes through the outbox

    async def next_due(self) -> datetime | None:
        """Return the earliest review date still waiting for feedback."""
        return await self.earliest(
            select(func.min(Consultation.review_date))
            .outerjoin(ConsultationFeedback)
            .where(*_unreminded())
        )

    async def take_due(self, now: datetime) -> list[object]:
        """Claim every overdue review once and owe workers its reminder (returns no events)."""
        async with self.db.begin() as s:
            rows = list(
                await s.scalars(
                    select(Consultation)
                    .outerjoin(ConsultationFeedback)
                    .where(*_unreminded(), Consultation.review_date <= now)
                    .order_by(Consultation.review_date)
                )
            )
            for row in rows:
                if not await claim(
                    s,
                    update(Consultation)
                    .where(Consultation.id == row.id, Consultation.review_reminded_at.is_(None))
                    .values(review_reminded_at=now),
                ):
                    continue
                config = await s.get(GuildConfig, row.guild_id)
                await owe_overdue(
                    self,
                    s,
                    row,
                    await participants(s, row.id),
                    config.worker_log_channel_id if config else None,
                )
        return []
