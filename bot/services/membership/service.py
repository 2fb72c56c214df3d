"""Sign-up, approval, profile, breaks and leaving (data rights are in membership_rights)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import AuditEntry, EqualityMonitoring, GuildConfig, LevelRole, Member
from bot.services.access import (
    Actor,
    guild_config,
    is_moderator,
    is_worker,
    require_member,
    require_worker,
)
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.membership.data_rights import DataRightsMixin
from bot.services.membership.forms import (
    ADJUSTMENTS,
    CONSENT_STATEMENT,
    EQUALITY_QUESTIONS,
    MEMBER_TYPES,
    NAME_MAX,
    NOTE_MAX,
    PREFER_NOT,
    PRONOUNS_MAX,
    REASON_MAX,
    Decision,
    Departure,
    JoinForm,
    MemberView,
    member_view,
)
from bot.services.personal_data import PersonalDataProvider
from bot.services.text import clean_text
from bot.settings import Settings

__all__ = [
    "ADJUSTMENTS",
    "CONSENT_STATEMENT",
    "EQUALITY_QUESTIONS",
    "MEMBER_TYPES",
    "PREFER_NOT",
    "Decision",
    "Departure",
    "JoinForm",
    "MemberView",
    "MembershipService",
]


def _audit(s: AsyncSession, actor: Actor, action: str, member_id: int, at: datetime) -> None:
    """Record what someone did to a membership record (staff actions and the member's own)."""
    s.add(
        AuditEntry(
            guild_id=actor.guild_id,
            actor_user_id=actor.user_id,
            action=action,
            member_id=member_id,
            at=at,
        )
    )


class MembershipService(DataRightsMixin):
    """Everything about being (or becoming, or ceasing to be) a member."""

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.providers: list[PersonalDataProvider] = []

    def register_personal_data(self, provider: PersonalDataProvider) -> None:
        """Add a feature's export and erasure to /mydata and /forgetme."""
        self.providers.append(provider)

    # ---- sign-up ---------------------------------------------------------------------------

    def _validate(self, form: JoinForm) -> dict[str, Any]:
        group = self.settings.group
        if not form.consent:
            raise InvalidInput(
                "We can only sign you up if you agree to us keeping these details. "
                "Nothing has been saved."
            )
        name = clean_text(form.preferred_name, field="your preferred name", max_length=NAME_MAX)
        pronouns = clean_text(
            form.pronouns, field="pronouns", max_length=PRONOUNS_MAX, required=False
        )
        if form.age_band not in group.age_bands:
            raise InvalidInput(f"Please choose an age band from: {', '.join(group.age_bands)}.")
        if form.member_type not in MEMBER_TYPES:
            raise InvalidInput("Please say whether you are a young person or a parent/carer.")
        if form.locality not in group.localities:
            raise InvalidInput(f"Please choose an area from: {', '.join(group.localities)}.")
        unknown = [a for a in form.adjustments if a not in ADJUSTMENTS]
        if unknown:
            raise InvalidInput(f"Unknown adjustment: {unknown[0]}.")
        note = clean_text(
            form.adjustments_note,
            field="the note about adjustments",
            max_length=NOTE_MAX,
            required=False,
            multiline=True,
        )
        return {
            "preferred_name": name,
            "pronouns": pronouns,
            "age_band": form.age_band,
            "member_type": form.member_type,
            "locality": form.locality,
            "dm_opt_in": form.dm_opt_in,
            "adjustments": sorted(set(form.adjustments)),
            "adjustments_note": note,
        }

    async def check_can_join(self, actor: Actor, form: JoinForm) -> None:
        """Check the form and the person's state before consent is asked (nothing stored)."""
        self._validate(form)
        async with self.db.begin() as s:
            await guild_config(s, actor.guild_id)
            existing = await s.scalar(
                select(Member.status).where(
                    Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                )
            )
        if existing == "pending":
            raise Conflict("You have already signed up: a worker will look at it soon.")
        if existing in {"approved", "paused"}:
            raise Conflict("You are already a member. Use /profile to change your details.")

    async def join(self, actor: Actor, form: JoinForm) -> MemberView:
        """Record a sign-up as pending, or explain why it cannot be taken."""
        values = self._validate(form)
        now = self.clock.now()
        async with self.db.begin() as s:
            await guild_config(s, actor.guild_id)
            existing = await s.scalar(
                select(Member).where(
                    Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                )
            )
            if existing is not None and existing.status == "pending":
                raise Conflict("You have already signed up: a worker will look at it soon.")
            if existing is not None and existing.status in {"approved", "paused"}:
                raise Conflict("You are already a member. Use /profile to change your details.")
            if existing is None:
                existing = Member(guild_id=actor.guild_id, user_id=actor.user_id, **values)
                s.add(existing)
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
            existing.status = "pending"
            existing.consent_at = now
            existing.joined_at = now
            existing.decline_reason = None
            existing.decided_at = None
            existing.decided_by = None
            existing.left_at = None
            existing.carer_aware_confirmed_at = None
            existing.carer_aware_confirmed_by = None
            existing.card_channel_id = None
            existing.card_message_id = None
            await s.flush()
            _audit(s, actor, "member.join", existing.id, now)
            return member_view(existing, self.settings)

    async def set_card(self, member_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the approval card for a sign-up was posted."""
        async with self.db.begin() as s:
            await s.execute(
                update(Member)
                .where(Member.id == member_id)
                .values(card_channel_id=channel_id, card_message_id=message_id)
            )

    async def worker_log_channel(self, guild_id: int) -> int | None:
        """Return the staff-only worker-log channel of a server, if set up."""
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, guild_id)
            return config.worker_log_channel_id if config else None

    async def get_for_worker(self, actor: Actor, member_id: int) -> MemberView:
        """Return one member's record to a worker."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            return member_view(await self._get(s, actor.guild_id, member_id), self.settings)

    async def pending(self, actor: Actor) -> list[MemberView]:
        """List sign-ups waiting for a decision, oldest first."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(Member)
                .where(Member.guild_id == actor.guild_id, Member.status == "pending")
                .order_by(Member.joined_at, Member.id)
            )
            return [member_view(m, self.settings) for m in rows]

    async def _get(self, s: AsyncSession, guild_id: int, member_id: int) -> Member:
        member = await s.get(Member, member_id)
        if member is None or member.guild_id != guild_id:
            raise NotFound("That sign-up no longer exists (the person may have erased their data).")
        return member

    async def confirm_carer_aware(self, actor: Actor, member_id: int) -> MemberView:
        """Record that a worker checked a parent/carer knows about an under-16's sign-up."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            if member.status != "pending":
                raise Conflict(f"This sign-up has already been {member.status}.")
            if member.carer_aware_confirmed_at is None:
                member.carer_aware_confirmed_at = now
                member.carer_aware_confirmed_by = actor.user_id
                _audit(s, actor, "member.carer_aware", member.id, now)
            return member_view(member, self.settings)

    async def approve(self, actor: Actor, member_id: int) -> Decision:
        """Approve a pending sign-up exactly once; return the roles to give and where to welcome."""
        now = self.clock.now()
        first_level = self.settings.ladder.levels[0].key
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            if member.user_id == actor.user_id:
                raise NotAllowed("You can't approve your own sign-up.")
            if (
                member.age_band in self.settings.group.under_16_age_bands
                and member.carer_aware_confirmed_at is None
            ):
                raise Conflict(
                    "This person is under 16: first confirm that a parent or carer knows "
                    "they are joining (the 'Parent/carer knows' button)."
                )
            # The WHERE on status makes a double click or two workers at once approve once.
            result = await s.execute(
                update(Member)
                .where(Member.id == member_id, Member.status == "pending")
                .values(
                    status="approved",
                    decided_at=now,
                    decided_by=actor.user_id,
                    level_key=first_level,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await s.refresh(member)
                raise Conflict(f"This sign-up has already been {member.status}.")
            await s.refresh(member)
            _audit(s, actor, "member.approve", member.id, now)
            roles = [
                config.carer_role_id if member.member_type == "carer" else config.member_role_id
            ]
            level_role = await s.get(LevelRole, (actor.guild_id, first_level))
            if level_role is not None:
                roles.append(level_role.role_id)
            return Decision(
                member=member_view(member, self.settings),
                add_role_ids=[r for r in roles if r is not None],
                welcome_channel_id=config.welcome_channel_id,
                worker_log_channel_id=config.worker_log_channel_id,
            )

    async def decline(self, actor: Actor, member_id: int, reason: str) -> Decision:
        """Decline a pending sign-up with a reason the person will be given."""
        text = clean_text(reason, field="the reason", max_length=REASON_MAX, multiline=True)
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            result = await s.execute(
                update(Member)
                .where(Member.id == member_id, Member.status == "pending")
                .values(
                    status="declined", decided_at=now, decided_by=actor.user_id, decline_reason=text
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await s.refresh(member)
                raise Conflict(f"This sign-up has already been {member.status}.")
            await s.refresh(member)
            _audit(s, actor, "member.decline", member.id, now)
            return Decision(
                member=member_view(member, self.settings),
                worker_log_channel_id=config.worker_log_channel_id,
            )

    # ---- the member's own record -------------------------------------------------------------

    async def profile(self, actor: Actor) -> MemberView:
        """Return the actor's own membership record."""
        async with self.db.begin() as s:
            return member_view(await require_member(s, actor), self.settings)

    async def status_of(self, guild_id: int, user_id: int) -> MemberView | None:
        """Return someone's record whatever its status, or None (for help and routing)."""
        async with self.db.begin() as s:
            member = await s.scalar(
                select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
            )
            return member_view(member, self.settings) if member else None

    async def update_profile(self, actor: Actor, form: JoinForm) -> MemberView:
        """Replace the editable profile fields with what the member typed."""
        values = self._validate(form)
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            for key, value in values.items():
                setattr(member, key, value)
            _audit(s, actor, "member.profile_edit", member.id, now)
            return member_view(member, self.settings)

    async def pause(self, actor: Actor) -> MemberView:
        """Start a break: the level is kept and no reminders are sent meanwhile."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            if member.status == "paused":
                raise Conflict("You are already on a break. Use /resume when you are ready.")
            member.status = "paused"
            member.paused_at = now
            _audit(s, actor, "member.pause", member.id, now)
            return member_view(member, self.settings)

    async def resume(self, actor: Actor) -> MemberView:
        """End a break."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            if member.status != "paused":
                raise Conflict("You are not on a break, so there is nothing to resume.")
            member.status = "approved"
            member.paused_at = None
            _audit(s, actor, "member.resume", member.id, now)
            return member_view(member, self.settings)

    async def _member_role_ids(self, s: AsyncSession, config: GuildConfig) -> list[int]:
        level_roles = await s.scalars(
            select(LevelRole.role_id).where(LevelRole.guild_id == config.guild_id)
        )
        roles = [config.member_role_id, config.carer_role_id, *level_roles]
        return [r for r in roles if r is not None]

    async def leave(self, actor: Actor) -> Departure:
        """Leave the group: roles go, the record is kept (marked left) until /forgetme."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            member = await require_member(s, actor)
            member.status = "left"
            member.left_at = now
            member.dm_opt_in = False
            _audit(s, actor, "member.leave", member.id, now)
            return Departure(actor.user_id, await self._member_role_ids(s, config))

    async def save_equality(self, actor: Actor, answers: dict[str, str]) -> None:
        """Store optional equality answers; every question accepts 'Prefer not to say'."""
        for question, answer in answers.items():
            options = EQUALITY_QUESTIONS.get(question)
            if options is None or (answer not in options and answer != PREFER_NOT):
                raise InvalidInput(f"Please choose one of the options for {question}.")
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await s.scalar(
                select(Member).where(
                    Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                )
            )
            if member is None or member.status in {"left", "declined"}:
                raise NotAllowed("You need to sign up with /join first.")
            row = await s.get(EqualityMonitoring, member.id)
            if row is None:
                s.add(EqualityMonitoring(member_id=member.id, answers=answers, answered_at=now))
            else:
                row.answers = {**row.answers, **answers}
                row.answered_at = now

    # ---- data rights ------------------------------------------------------------------------

    async def audiences(self, actor: Actor) -> set[str]:
        """Return who the actor counts as for /help: everyone, member, worker, moderator, admin."""
        allowed = {"everyone"}
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, actor.guild_id)
            member = await s.scalar(
                select(Member).where(
                    Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                )
            )
        if member is not None and member.status in {"approved", "paused"}:
            allowed.add("member")
        if config is not None and is_worker(config, actor):
            allowed |= {"worker", "member"}
        if config is not None and is_moderator(config, actor):
            allowed.add("moderator")
        if actor.is_admin:
            allowed.add("admin")
        return allowed

    # ---- reference ---------------------------------------------------------------------------

    def glossary_matches(self, query: str, limit: int = 25) -> list[str]:
        """Return glossary terms containing the query, best first."""
        q = query.strip().casefold()
        terms = sorted(self.settings.glossary, key=str.casefold)
        starts = [t for t in terms if t.casefold().startswith(q)]
        contains = [t for t in terms if q in t.casefold() and t not in starts]
        return (starts + contains)[:limit]

    def explain(self, term: str) -> tuple[str, str]:
        """Return a glossary term and its plain-English meaning."""
        wanted = term.strip().casefold()
        for key, meaning in self.settings.glossary.items():
            if key.casefold() == wanted:
                return key, meaning
        suggestions = self.glossary_matches(term, limit=3)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"I don't have an explanation for {term.strip()[:50]!r} yet.{hint}")
