"""Closing consultations: on the deadline (a DueSource, also at start-up) or early by a worker.

Closing owes its messages (workers told, everyone thanked) in the same transaction, so they
go out once through the outbox even if Discord fails or the bot restarts.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationRespondent,
    GuildConfig,
)
from bot.services.access import Actor, require_worker
from bot.services.audience import Audience
from bot.services.base import claim, view_from
from bot.services.consultations.common import REACHED, ConsultationBase, participants
from bot.services.consultations.owed import owe_closed
from bot.services.errors import Conflict


@dataclass(frozen=True)
class ConsultationClosed:
    """A consultation closed (its messages are owed through the outbox)."""

    consultation_id: int
    guild_id: int
    title: str
    anonymous: bool
    closed_at: datetime
    review_date: datetime
    early: bool
    respondents: int
    audience_size: int
    worker_log_channel_id: int | None
    announcements_channel_id: int | None


class ConsultationClosing(ConsultationBase):
    """Close consultations exactly once, scrubbing the anonymous link as they close."""

    name = "consultations.close"
    emits: tuple[type, ...] = ()  # its messages go through the outbox

    async def close(self, actor: Actor, consultation_id: int) -> ConsultationClosed:
        """Close an open consultation before its deadline."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = await self._load(s, actor.guild_id, consultation_id)
            if row.status == "draft":
                raise Conflict("This consultation is still a draft: there is nothing to close.")
            event = await self._close(s, row, self.clock.now(), actor.user_id)
            if event is None:
                raise Conflict("This consultation has already closed.")
            self.audit(s, actor, "consultation.close", detail=f"consultation {row.id}")
        self.wake()  # its messages are owed now; its review date is what falls due next
        return event

    async def next_due(self) -> datetime | None:
        """Return the earliest deadline of an open consultation."""
        return await self.earliest(
            select(func.min(Consultation.deadline)).where(Consultation.status == "open")
        )

    async def take_due(self, now: datetime) -> list[ConsultationClosed]:
        """Close every open consultation whose deadline has passed, once; owe its messages.

        Returns no events: what people are told is owed in the outbox, which the scheduler
        asks after this source.
        """
        async with self.db.begin() as s:
            rows = list(
                await s.scalars(
                    select(Consultation)
                    .where(Consultation.status == "open", Consultation.deadline <= now)
                    .order_by(Consultation.deadline)
                )
            )
            for row in rows:
                await self._close(s, row, now, None)
        return []

    async def _close(
        self, s: AsyncSession, row: Consultation, now: datetime, by: int | None
    ) -> ConsultationClosed | None:
        early = by is not None and row.deadline > now
        audience = await Audience.of(row).size(s, row.guild_id, REACHED)
        # Only the caller whose UPDATE changes the row closes it (and gets the event).
        won = await claim(
            s,
            update(Consultation)
            .where(Consultation.id == row.id, Consultation.status == "open")
            .values(
                status="closed",
                closed_at=now,
                closed_by=by,
                secret=None,
                audience_size_at_close=audience,
            ),
        )
        if not won:
            return None
        await s.refresh(row)
        if row.anonymous:
            await self._scrub(s, row.id)
        respondents = await participants(s, row.id)
        config = await s.get(GuildConfig, row.guild_id)
        closed = view_from(
            ConsultationClosed,
            row,
            consultation_id=row.id,
            closed_at=now,
            early=early,
            respondents=respondents,
            audience_size=audience,
            worker_log_channel_id=config.worker_log_channel_id if config else None,
            announcements_channel_id=config.announcements_channel_id if config else None,
        )
        await owe_closed(self, s, row, closed)
        return closed

    async def _scrub(self, s: AsyncSession, consultation_id: int) -> None:
        """Rewrite an anonymous consultation's respondents: fresh random ids, shuffled, no keys.

        With the secret gone the keys are useless anyway; rewriting the rows in a random
        order also removes any link through the order in which they were first stored.
        """
        respondents = list(
            await s.scalars(
                select(ConsultationRespondent.id).where(
                    ConsultationRespondent.consultation_id == consultation_id
                )
            )
        )
        if not respondents:
            return
        answers = list(
            await s.scalars(
                select(ConsultationAnswer).where(ConsultationAnswer.respondent_id.in_(respondents))
            )
        )
        by_respondent: dict[str, list[ConsultationAnswer]] = {r: [] for r in respondents}
        for answer in answers:
            by_respondent[answer.respondent_id].append(answer)
        copies = [
            [
                {
                    "question_id": a.question_id,
                    "choices": a.choices,
                    "scale": a.scale,
                    "text": a.text,
                    "skipped": a.skipped,
                }
                for a in items
            ]
            for items in by_respondent.values()
        ]
        for answer in answers:
            s.expunge(answer)
        await s.execute(
            delete(ConsultationAnswer).where(ConsultationAnswer.respondent_id.in_(respondents))
        )
        await s.execute(
            delete(ConsultationRespondent).where(
                ConsultationRespondent.consultation_id == consultation_id
            )
        )
        random.SystemRandom().shuffle(copies)
        for items in copies:
            new_id = secrets.token_hex(16)
            s.add(ConsultationRespondent(id=new_id, consultation_id=consultation_id, key=None))
            await s.flush()
            for item in items:
                s.add(ConsultationAnswer(respondent_id=new_id, **item))
            await s.flush()
