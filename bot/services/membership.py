"""Sign-up, approval, profile, breaks, leaving, data export and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
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
from bot.services.personal_data import PersonalDataProvider, collect_traces
from bot.services.text import clean_text
from bot.settings import Settings

ADJUSTMENTS: dict[str, str] = {
    "captions": "Captions or a transcript",
    "camera_off": "Camera off is fine",
    "papers_early": "Papers sent early",
    "no_early_starts": "No early starts",
    "breaks": "Regular breaks",
}
MEMBER_TYPES = {"young_person": "Young person", "carer": "Parent or carer"}
EQUALITY_QUESTIONS: dict[str, list[str]] = {
    "gender": ["Woman or girl", "Man or boy", "Non-binary", "Another way"],
    "ethnicity": ["Asian or Asian British", "Black or Black British", "Mixed", "White", "Other"],
    "disability": ["Yes", "No"],
    "sexual_orientation": ["Heterosexual or straight", "Gay or lesbian", "Bisexual", "Another way"],
}
PREFER_NOT = "Prefer not to say"
NAME_MAX = 64
PRONOUNS_MAX = 40
NOTE_MAX = 500
REASON_MAX = 500

CONSENT_STATEMENT = (
    "What we keep and why: your preferred name, pronouns, age band, whether you are a young "
    "person or a parent/carer, your area, how you'd like us to contact you and any adjustments "
    "you need. We use it to run the group, to invite you to things that suit you and to make "
    "sessions work for you. We record what you take part in so you can see your progress and "
    "be paid fairly. Only participation workers can see your details. You can see everything "
    "we hold with /mydata and delete it with /forgetme at any time."
)


@dataclass(frozen=True)
class JoinForm:
    """What someone typed into the sign-up form."""

    preferred_name: str
    age_band: str
    member_type: str
    locality: str
    consent: bool
    pronouns: str | None = None
    dm_opt_in: bool = False
    adjustments: Sequence[str] = ()
    adjustments_note: str | None = None


@dataclass(frozen=True)
class MemberView:
    """A member as the bot shows them."""

    id: int
    guild_id: int
    user_id: int
    preferred_name: str
    pronouns: str | None
    age_band: str
    member_type: str
    locality: str
    dm_opt_in: bool
    adjustments: list[str]
    adjustments_note: str | None
    status: str
    level_key: str | None
    needs_carer_confirmation: bool
    carer_confirmed: bool
    joined_at: datetime
    decline_reason: str | None
    card_channel_id: int | None
    card_message_id: int | None


@dataclass(frozen=True)
class Decision:
    """The outcome of an approval or decline, with what Discord needs to change."""

    member: MemberView
    add_role_ids: list[int] = field(default_factory=list)
    welcome_channel_id: int | None = None
    worker_log_channel_id: int | None = None


@dataclass(frozen=True)
class Departure:
    """Roles to take away when someone leaves or is erased, and bot messages to redact."""

    user_id: int
    remove_role_ids: list[int]
    redact_messages: list[tuple[int, int]] = field(default_factory=list)
    leave_channels: list[int] = field(default_factory=list)


def _view(member: Member, settings: Settings) -> MemberView:
    return MemberView(
        id=member.id,
        guild_id=member.guild_id,
        user_id=member.user_id,
        preferred_name=member.preferred_name,
        pronouns=member.pronouns,
        age_band=member.age_band,
        member_type=member.member_type,
        locality=member.locality,
        dm_opt_in=member.dm_opt_in,
        adjustments=list(member.adjustments or []),
        adjustments_note=member.adjustments_note,
        status=member.status,
        level_key=member.level_key,
        needs_carer_confirmation=member.age_band in settings.group.under_16_age_bands,
        carer_confirmed=member.carer_aware_confirmed_at is not None,
        joined_at=member.joined_at,
        decline_reason=member.decline_reason,
        card_channel_id=member.card_channel_id,
        card_message_id=member.card_message_id,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class MembershipService:
    """Everything about being (or becoming, or ceasing to be) a member."""

    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.settings = settings
        self.sessions = sessions
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
        async with self.sessions.begin() as s:
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
        async with self.sessions.begin() as s:
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
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.join",
                    member_id=existing.id,
                    at=now,
                )
            )
            return _view(existing, self.settings)

    async def set_card(self, member_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the approval card for a sign-up was posted."""
        async with self.sessions.begin() as s:
            await s.execute(
                update(Member)
                .where(Member.id == member_id)
                .values(card_channel_id=channel_id, card_message_id=message_id)
            )

    async def worker_log_channel(self, guild_id: int) -> int | None:
        """Return the staff-only worker-log channel of a server, if set up."""
        async with self.sessions.begin() as s:
            config = await s.get(GuildConfig, guild_id)
            return config.worker_log_channel_id if config else None

    async def get_for_worker(self, actor: Actor, member_id: int) -> MemberView:
        """Return one member's record to a worker."""
        async with self.sessions.begin() as s:
            await require_worker(s, actor)
            return _view(await self._get(s, actor.guild_id, member_id), self.settings)

    async def pending(self, actor: Actor) -> list[MemberView]:
        """List sign-ups waiting for a decision, oldest first."""
        async with self.sessions.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(Member)
                .where(Member.guild_id == actor.guild_id, Member.status == "pending")
                .order_by(Member.joined_at, Member.id)
            )
            return [_view(m, self.settings) for m in rows]

    async def _get(self, s: AsyncSession, guild_id: int, member_id: int) -> Member:
        member = await s.get(Member, member_id)
        if member is None or member.guild_id != guild_id:
            raise NotFound("That sign-up no longer exists (the person may have erased their data).")
        return member

    async def confirm_carer_aware(self, actor: Actor, member_id: int) -> MemberView:
        """Record that a worker checked a parent/carer knows about an under-16's sign-up."""
        now = self.clock.now()
        async with self.sessions.begin() as s:
            await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            if member.status != "pending":
                raise Conflict(f"This sign-up has already been {member.status}.")
            if member.carer_aware_confirmed_at is None:
                member.carer_aware_confirmed_at = now
                member.carer_aware_confirmed_by = actor.user_id
                s.add(
                    AuditEntry(
                        guild_id=actor.guild_id,
                        actor_user_id=actor.user_id,
                        action="member.carer_aware",
                        member_id=member.id,
                        at=now,
                    )
                )
            return _view(member, self.settings)

    async def approve(self, actor: Actor, member_id: int) -> Decision:
        """Approve a pending sign-up exactly once; return the roles to give and where to welcome."""
        now = self.clock.now()
        first_level = self.settings.ladder.levels[0].key
        async with self.sessions.begin() as s:
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
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.approve",
                    member_id=member.id,
                    at=now,
                )
            )
            roles = [
                config.carer_role_id if member.member_type == "carer" else config.member_role_id
            ]
            level_role = await s.get(LevelRole, (actor.guild_id, first_level))
            if level_role is not None:
                roles.append(level_role.role_id)
            return Decision(
                member=_view(member, self.settings),
                add_role_ids=[r for r in roles if r is not None],
                welcome_channel_id=config.welcome_channel_id,
                worker_log_channel_id=config.worker_log_channel_id,
            )

    async def decline(self, actor: Actor, member_id: int, reason: str) -> Decision:
        """Decline a pending sign-up with a reason the person will be given."""
        text = clean_text(reason, field="the reason", max_length=REASON_MAX, multiline=True)
        now = self.clock.now()
        async with self.sessions.begin() as s:
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
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.decline",
                    member_id=member.id,
                    at=now,
                )
            )
            return Decision(
                member=_view(member, self.settings),
                worker_log_channel_id=config.worker_log_channel_id,
            )

    # ---- the member's own record -------------------------------------------------------------

    async def profile(self, actor: Actor) -> MemberView:
        """Return the actor's own membership record."""
        async with self.sessions.begin() as s:
            return _view(await require_member(s, actor), self.settings)

    async def status_of(self, guild_id: int, user_id: int) -> MemberView | None:
        """Return someone's record whatever its status, or None (for help and routing)."""
        async with self.sessions.begin() as s:
            member = await s.scalar(
                select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
            )
            return _view(member, self.settings) if member else None

    async def update_profile(self, actor: Actor, form: JoinForm) -> MemberView:
        """Replace the editable profile fields with what the member typed."""
        values = self._validate(form)
        now = self.clock.now()
        async with self.sessions.begin() as s:
            member = await require_member(s, actor)
            for key, value in values.items():
                setattr(member, key, value)
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.profile_edit",
                    member_id=member.id,
                    at=now,
                )
            )
            return _view(member, self.settings)

    async def pause(self, actor: Actor) -> MemberView:
        """Start a break: the level is kept and no reminders are sent meanwhile."""
        now = self.clock.now()
        async with self.sessions.begin() as s:
            member = await require_member(s, actor)
            if member.status == "paused":
                raise Conflict("You are already on a break. Use /resume when you are ready.")
            member.status = "paused"
            member.paused_at = now
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.pause",
                    member_id=member.id,
                    at=now,
                )
            )
            return _view(member, self.settings)

    async def resume(self, actor: Actor) -> MemberView:
        """End a break."""
        now = self.clock.now()
        async with self.sessions.begin() as s:
            member = await require_member(s, actor)
            if member.status != "paused":
                raise Conflict("You are not on a break, so there is nothing to resume.")
            member.status = "approved"
            member.paused_at = None
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.resume",
                    member_id=member.id,
                    at=now,
                )
            )
            return _view(member, self.settings)

    async def _member_role_ids(self, s: AsyncSession, config: GuildConfig) -> list[int]:
        level_roles = await s.scalars(
            select(LevelRole.role_id).where(LevelRole.guild_id == config.guild_id)
        )
        roles = [config.member_role_id, config.carer_role_id, *level_roles]
        return [r for r in roles if r is not None]

    async def leave(self, actor: Actor) -> Departure:
        """Leave the group: roles go, the record is kept (marked left) until /forgetme."""
        now = self.clock.now()
        async with self.sessions.begin() as s:
            config = await guild_config(s, actor.guild_id)
            member = await require_member(s, actor)
            member.status = "left"
            member.left_at = now
            member.dm_opt_in = False
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=actor.user_id,
                    action="member.leave",
                    member_id=member.id,
                    at=now,
                )
            )
            return Departure(actor.user_id, await self._member_role_ids(s, config))

    async def save_equality(self, actor: Actor, answers: dict[str, str]) -> None:
        """Store optional equality answers; every question accepts 'Prefer not to say'."""
        for question, answer in answers.items():
            options = EQUALITY_QUESTIONS.get(question)
            if options is None or (answer not in options and answer != PREFER_NOT):
                raise InvalidInput(f"Please choose one of the options for {question}.")
        now = self.clock.now()
        async with self.sessions.begin() as s:
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

    async def export(self, actor: Actor) -> dict[str, Any]:
        """Return everything held about the actor, as JSON-ready data (members or not)."""
        async with self.sessions.begin() as s:
            await guild_config(s, actor.guild_id)
            member = await s.scalar(
                select(Member).where(
                    Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                )
            )
            data: dict[str, Any] = {
                "about": "Everything participation-bot holds about you in this server.",
                "discord_user_id": str(actor.user_id),
                "profile": None,
                "equality_monitoring": None,
                "history": [],
            }
            if member is not None:
                equality = await s.get(EqualityMonitoring, member.id)
                audit = await s.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.member_id == member.id)
                    .order_by(AuditEntry.id)
                )
                data["profile"] = {
                    "preferred_name": member.preferred_name,
                    "pronouns": member.pronouns,
                    "age_band": member.age_band,
                    "member_type": member.member_type,
                    "locality": member.locality,
                    "reminder_dms": member.dm_opt_in,
                    "adjustments": [ADJUSTMENTS.get(a, a) for a in member.adjustments or []],
                    "adjustments_note": member.adjustments_note,
                    "status": member.status,
                    "level": member.level_key,
                    "consented_at": _iso(member.consent_at),
                    "joined_at": _iso(member.joined_at),
                    "decided_at": _iso(member.decided_at),
                    "decline_reason": member.decline_reason,
                    "parent_carer_aware_confirmed_at": _iso(member.carer_aware_confirmed_at),
                    "paused_at": _iso(member.paused_at),
                    "left_at": _iso(member.left_at),
                }
                data["equality_monitoring"] = equality.answers if equality else None
                data["history"] = [{"action": a.action, "at": _iso(a.at)} for a in audit]
            # Someone who never signed up may still have used /support or reported a message.
            member_id = member.id if member is not None else 0
            for provider in self.providers:
                data[provider.section] = await provider.export(
                    s, actor.guild_id, actor.user_id, member_id
                )
            return data

    async def forget(self, actor: Actor) -> Departure:
        """Erase the actor: personal data deleted, contributions anonymised, votes unlinked."""
        async with self.sessions.begin() as s:
            config = await guild_config(s, actor.guild_id)
            member = await s.scalar(
                select(Member).where(
                    Member.guild_id == actor.guild_id, Member.user_id == actor.user_id
                )
            )
            member_id = member.id if member is not None else 0
            redact: list[tuple[int, int]] = []
            if member is not None and member.card_channel_id and member.card_message_id:
                redact.append((member.card_channel_id, member.card_message_id))
            traces = await collect_traces(
                self.providers, s, actor.guild_id, actor.user_id, member_id
            )
            redact += traces.messages
            for provider in self.providers:
                await provider.erase(s, actor.guild_id, actor.user_id, member_id)
            # Staff actions stay for accountability, but no longer point at the person.
            if member is not None:
                await s.execute(
                    update(AuditEntry)
                    .where(AuditEntry.member_id == member.id)
                    .values(member_id=None, detail=None)
                )
            await s.execute(
                update(AuditEntry)
                .where(AuditEntry.actor_user_id == actor.user_id)
                .values(actor_user_id=None)
            )
            await s.execute(
                update(Member)
                .where(Member.carer_aware_confirmed_by == actor.user_id)
                .values(carer_aware_confirmed_by=None)
            )
            await s.execute(
                update(Member).where(Member.decided_by == actor.user_id).values(decided_by=None)
            )
            if member is not None:
                await s.execute(delete(Member).where(Member.id == member.id))
            s.add(
                AuditEntry(
                    guild_id=actor.guild_id,
                    actor_user_id=None,
                    action="member.erased",
                    at=self.clock.now(),
                )
            )
            return Departure(
                actor.user_id,
                await self._member_role_ids(s, config),
                redact,
                traces.channels_to_leave,
            )

    async def audiences(self, actor: Actor) -> set[str]:
        """Return who the actor counts as for /help: everyone, member, worker, moderator, admin."""
        allowed = {"everyone"}
        async with self.sessions.begin() as s:
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
