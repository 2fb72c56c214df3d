"""Drafting a consultation: its details, the built-in end-of-involvement template, opening."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.db.models import Consultation, ConsultationQuestion, GuildConfig
from bot.services.access import Actor, require_member, require_worker
from bot.services.audience import Audience
from bot.services.base import claim
from bot.services.consultations.common import (
    DEFAULT_REVIEW_DAYS,
    MAX_DEADLINE_DAYS,
    MAX_REVIEW_AFTER_DEADLINE_DAYS,
    TEXT_MAX,
    TITLE_MAX,
    ConsultationBase,
    ConsultationDetails,
    ConsultationView,
    check_audience,
    question_count,
    require_in_audience,
)
from bot.services.consultations.owed import owe_opened
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.text import clean_text


@dataclass(frozen=True)
class DraftForm(ConsultationDetails):
    """What a worker typed to draft (or edit) a consultation."""

    audience: str = "everyone"
    anonymous: bool = True
    review_date: datetime | None = None


@dataclass(frozen=True)
class Channels:
    """Where consultation news goes in a server."""

    announcements_channel_id: int | None
    worker_log_channel_id: int | None


END_OF_INVOLVEMENT = "end_of_involvement"
END_OF_INVOLVEMENT_DAYS = 14
END_OF_INVOLVEMENT_FORM = {
    "title": "How did it feel to take part?",
    "purpose": (
        "You have been part of the participation group, and we want to learn from your "
        "experience: what it felt like, what helped and what got in the way."
    ),
    "outcomes": (
        "We will use what you tell us to make taking part easier, fairer and more worthwhile "
        "for the young people and families who join after you."
    ),
    "can_change": (
        "How we run sessions, polls and consultations; how we support, pay and thank people; "
        "how we tell you what changed."
    ),
    "cannot_change": (
        "Decisions already made about NHS services, and the law and safeguarding rules we "
        "must follow."
    ),
}
END_OF_INVOLVEMENT_QUESTIONS: list[tuple[str, str, list[str]]] = [
    ("scale", "Overall, how did it feel to take part? (1 = not good, 5 = really good)", []),
    ("single", "Did you feel listened to?", ["Yes, always", "Mostly", "Sometimes", "Not really"]),
    (
        "multiple",
        "Which parts worked well for you?",
        [
            "Quick polls",
            "Consultations",
            "Online sessions",
            "Working with staff",
            "Training",
            "Payment or rewards",
            "Support from other members",
        ],
    ),
    (
        "single",
        "Did you get the support and adjustments you needed?",
        ["Yes", "Partly", "No", "I didn't need any"],
    ),
    (
        "single",
        "Did you see what changed because of what you said?",
        ["Yes, clearly", "A bit", "No"],
    ),
    ("text", "What could we do better for the people who take part after you?", []),
    ("text", "Is there anything else you would like to tell us?", []),
]


class ConsultationDrafting(ConsultationBase):
    """Create and shape consultations until they open."""

    # ---- details -----------------------------------------------------------------------------

    def check_audience(self, audience: str, guild_id: int | None = None) -> str:
        """Return a valid audience in its one-string form ('everyone', 'locality:X', ...)."""
        return check_audience(audience, self.settings_for(guild_id)).text()

    async def channels(self, guild_id: int) -> Channels:
        """Return the announcements and worker-log channels /setup made."""
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, guild_id)
            if config is None:
                return Channels(None, None)
            return Channels(config.announcements_channel_id, config.worker_log_channel_id)

    def check_dates(self, deadline: datetime, review_date: datetime | None) -> datetime:
        """Check a deadline and review date (before a form is shown); return the review date."""
        now = self.clock.now()
        if deadline.tzinfo is None:
            raise InvalidInput("The deadline needs a time zone.")
        if deadline <= now:
            raise InvalidInput("The deadline has to be in the future.")
        if deadline > now + timedelta(days=MAX_DEADLINE_DAYS):
            raise InvalidInput("The deadline can be at most a year away.")
        review = review_date or deadline + timedelta(days=DEFAULT_REVIEW_DAYS)
        if review.tzinfo is None:
            raise InvalidInput("The review date needs a time zone.")
        if review <= deadline:
            raise InvalidInput(
                "The review date (when feedback should be out) has to be after the deadline."
            )
        if review > deadline + timedelta(days=MAX_REVIEW_AFTER_DEADLINE_DAYS):
            raise InvalidInput("The review date can be at most a year after the deadline.")
        return review

    def _clean_form(self, form: DraftForm, guild_id: int) -> dict[str, object]:
        review = self.check_dates(form.deadline, form.review_date)

        def long(value: str, field: str) -> str:
            text = clean_text(value, field=field, max_length=TEXT_MAX, multiline=True)
            assert text is not None
            return text

        title = clean_text(form.title, field="the title", max_length=TITLE_MAX)
        audience = check_audience(form.audience, self.settings_for(guild_id))
        return {
            "title": title,
            "purpose": long(form.purpose, "why we are asking"),
            "outcomes": long(form.outcomes, "what we hope will come of it"),
            "can_change": long(form.can_change, "what can change"),
            "cannot_change": long(form.cannot_change, "what cannot change"),
            "deadline": form.deadline,
            "review_date": review,
            "audience_kind": audience.kind,
            "audience_value": audience.value,
            "anonymous": bool(form.anonymous),
        }

    async def draft(self, actor: Actor, form: DraftForm) -> ConsultationView:
        """Create a draft consultation (no questions yet)."""
        return await self._create(actor, form, "consultation.draft")

    async def _create(
        self,
        actor: Actor,
        form: DraftForm,
        action: str,
        template: str | None = None,
        questions: list[tuple[str, str, list[str]]] | None = None,
    ) -> ConsultationView:
        values = self._clean_form(form, actor.guild_id)
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = Consultation(
                guild_id=actor.guild_id,
                status="draft",
                questions_locked=False,
                template=template,
                created_by=actor.user_id,
                created_at=self.clock.now(),
                **values,
            )
            s.add(row)
            await s.flush()
            for position, (kind, text, options) in enumerate(questions or [], 1):
                s.add(
                    ConsultationQuestion(
                        consultation_id=row.id,
                        position=position,
                        kind=kind,
                        text=text,
                        options=options,
                    )
                )
            await s.flush()
            self.audit(s, actor, action, detail=f"consultation {row.id}")
            return await self._view(s, row)

    async def update_draft(
        self, actor: Actor, consultation_id: int, form: DraftForm
    ) -> ConsultationView:
        """Change a draft's details (anonymity and audience are fixed once it opens)."""
        values = self._clean_form(form, actor.guild_id)
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = await self._load(s, actor.guild_id, consultation_id)
            if row.status != "draft":
                raise Conflict("Only a draft can be edited; this consultation is already open.")
            for key, value in values.items():
                setattr(row, key, value)
            self.audit(s, actor, "consultation.edit", detail=f"consultation {row.id}")
            return await self._view(s, row)

    async def get(self, actor: Actor, consultation_id: int) -> ConsultationView:
        """Return a consultation to a worker, or to a member in its audience."""
        async with self.db.begin() as s:
            row = await self._load(s, actor.guild_id, consultation_id)
            try:
                await require_worker(s, actor)
            except NotAllowed:
                member = await require_member(s, actor)
                require_in_audience(member, row, self.settings_for(row.guild_id))
            return await self._view(s, row)

    async def list_for_worker(
        self, actor: Actor, status: str | None = None
    ) -> list[ConsultationView]:
        """List the server's consultations, newest first."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            query = select(Consultation).where(Consultation.guild_id == actor.guild_id)
            if status is not None:
                query = query.where(Consultation.status == status)
            rows = await s.scalars(query.order_by(Consultation.id.desc()).limit(25))
            return [await self._view(s, r) for r in rows]

    async def drafts_for_member(self, actor: Actor) -> list[ConsultationView]:
        """List drafts a member may suggest questions for."""
        async with self.db.begin() as s:
            member = await require_member(s, actor, allow_paused=False)
            rows = await s.scalars(
                select(Consultation)
                .where(Consultation.guild_id == actor.guild_id, Consultation.status == "draft")
                .order_by(Consultation.id)
            )
            return [await self._view(s, r) for r in rows if Audience.of(r).includes(member)][:25]

    async def create_end_of_involvement(
        self, actor: Actor, audience: str = "everyone", deadline: datetime | None = None
    ) -> ConsultationView:
        """Create the built-in "how did it feel to take part?" questionnaire as a draft."""
        words = END_OF_INVOLVEMENT_FORM
        form = DraftForm(
            title=words["title"],
            purpose=words["purpose"],
            outcomes=words["outcomes"],
            can_change=words["can_change"],
            cannot_change=words["cannot_change"],
            deadline=deadline or self.clock.now() + timedelta(days=END_OF_INVOLVEMENT_DAYS),
            audience=audience,
            anonymous=True,
        )
        return await self._create(
            actor, form, "consultation.template", END_OF_INVOLVEMENT, END_OF_INVOLVEMENT_QUESTIONS
        )

    # ---- opening ---------------------------------------------------------------------------

    async def open(self, actor: Actor, consultation_id: int) -> ConsultationView:
        """Open a draft for answers (it needs at least one question and a future deadline)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            row = await self._load(s, actor.guild_id, consultation_id)
            if row.status != "draft":
                raise Conflict(f"This consultation is already {row.status}.")
            if await question_count(s, row.id) == 0:
                raise Conflict("Add at least one question before opening the consultation.")
            if row.deadline <= now:
                raise Conflict(
                    "The deadline has already passed: edit the draft to set a new one first."
                )
            await claim(
                s,
                update(Consultation)
                .where(Consultation.id == row.id, Consultation.status == "draft")
                .values(
                    status="open",
                    opened_at=now,
                    secret=secrets.token_bytes(32) if row.anonymous else None,
                ),
                "This consultation has just been opened by someone else.",
            )
            await s.refresh(row)
            self.audit(s, actor, "consultation.open", detail=f"consultation {row.id}")
            # Announced once through the outbox, whatever Discord does meanwhile.
            await owe_opened(self, s, row, config.announcements_channel_id)
            view = await self._view(s, row)
        self.wake()  # its announcement is owed; its deadline is something to close on
        return view

    async def for_delivery(self, guild_id: int, consultation_id: int) -> ConsultationView | None:
        """Return a consultation for the outbox to announce (None if it is gone)."""
        async with self.db.begin() as s:
            row = await s.get(Consultation, consultation_id)
            if row is None or row.guild_id != guild_id:
                return None
            return await self._view(s, row)
