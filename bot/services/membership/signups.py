"""Sign-ups: taking one with consent, and a worker's approval or decline of it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, LevelRole, Member
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config, require_worker
from bot.services.base import Service, claim, in_guild
from bot.services.errors import Conflict, NotAllowed
from bot.services.membership.forms import (
    REASON_MAX,
    Decision,
    JoinForm,
    MemberView,
    checked_values,
    member_view,
)
from bot.services.membership.owed import owe_approval, owe_card, owe_decline
from bot.services.membership.records import own_record
from bot.services.text import clean_text

# A fresh sign-up forgets everything an earlier, declined or abandoned one decided.
_UNDECIDED: dict[str, Any] = {
    "status": "pending",
    "decline_reason": None,
    "decided_at": None,
    "decided_by": None,
    "left_at": None,
    "carer_aware_confirmed_at": None,
    "carer_aware_confirmed_by": None,
    "card_channel_id": None,
    "card_message_id": None,
}


def _refuse_rejoin(status: str | None) -> None:
    """Explain why someone already signed up (or a member) cannot sign up again."""
    if status == "pending":
        raise Conflict(
            "You have already signed up: a worker will look at it soon. Once you are approved, "
            "#sessions, #polls and #peer-support open to you."
        )
    if status in {"approved", "paused"}:
        raise Conflict("You are already a member. Use /profile to change your details.")


def _already_decided(member: Member) -> Conflict:
    return Conflict(f"This sign-up has already been {member.status}.")


class SignUps(Service):
    """Take sign-ups and let workers decide on them, each exactly once."""

    async def check_can_join(self, actor: Actor, form: JoinForm) -> JoinForm:
        """Check the form before consent is asked; return it as understood (nothing stored)."""
        async with self.db.begin() as s:
            await guild_config(s, actor.guild_id)
            existing = await own_record(s, actor)
        _refuse_rejoin(existing.status if existing else None)
        values = checked_values(form, self.settings_for(actor.guild_id))
        # Show back what was understood: "19" as its band, a town as its area.
        return replace(
            form,
            age_band=values["age_band"],
            locality=values["locality"],
            adjustments=tuple(values["adjustments"]),
            adjustments_note=values["adjustments_note"],
        )

    async def join(self, actor: Actor, form: JoinForm) -> MemberView:
        """Record a sign-up as pending, or explain why it cannot be taken."""
        values = checked_values(form, self.settings_for(actor.guild_id))
        now = self.clock.now()
        fresh = {**values, **_UNDECIDED, "consent_at": now, "joined_at": now}
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            # Insert-or-nothing, then lock the row: a double "I agree" (or two processes) makes
            # one record and one card, and the loser is told kindly (select-then-insert raised
            # IntegrityError on PostgreSQL).
            inserted = await s.scalar(
                insert_for(s, Member)
                .values(guild_id=actor.guild_id, user_id=actor.user_id, **fresh)
                .on_conflict_do_nothing(index_elements=["guild_id", "user_id"])
                .returning(Member.id)
            )
            member = await s.scalar(
                select(Member)
                .where(Member.guild_id == actor.guild_id, Member.user_id == actor.user_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            assert member is not None  # inserted above, or there already
            if inserted is None:
                _refuse_rejoin(member.status)
                for key, value in fresh.items():
                    setattr(member, key, value)
                await s.flush()
            self.audit(s, actor, "member.join", member_id=member.id)
            await owe_card(self, s, config, member)
            view = member_view(member, self.settings_for(member.guild_id))
        self.wake()
        return view

    async def set_card(self, member_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the approval card for a sign-up was posted."""
        await self.remember(
            Member, member_id, card_channel_id=channel_id, card_message_id=message_id
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
            return member_view(
                await self._get(s, actor.guild_id, member_id), self.settings_for(actor.guild_id)
            )

    async def pending(self, actor: Actor) -> list[MemberView]:
        """List sign-ups waiting for a decision, oldest first."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(Member)
                .where(Member.guild_id == actor.guild_id, Member.status == "pending")
                .order_by(Member.joined_at, Member.id)
            )
            return [member_view(m, self.settings_for(m.guild_id)) for m in rows]

    async def _get(self, s: AsyncSession, guild_id: int, member_id: int) -> Member:
        missing = "That sign-up no longer exists (the person may have erased their data)."
        return await in_guild(s, Member, member_id, guild_id, missing)

    async def confirm_carer_aware(self, actor: Actor, member_id: int) -> MemberView:
        """Record that a worker checked a parent/carer knows about an under-16's sign-up."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            if member.status != "pending":
                raise _already_decided(member)
            if member.carer_aware_confirmed_at is None:
                member.carer_aware_confirmed_at = self.clock.now()
                member.carer_aware_confirmed_by = actor.user_id
                self.audit(s, actor, "member.carer_aware", member_id=member.id)
            return member_view(member, self.settings_for(member.guild_id))

    async def _decide(
        self, s: AsyncSession, actor: Actor, member: Member, action: str, **values: Any
    ) -> None:
        """Move a pending sign-up to its decision, once (double clicks and two workers lose)."""
        won = await claim(
            s,
            update(Member)
            .where(Member.id == member.id, Member.status == "pending")
            .values(decided_at=self.clock.now(), decided_by=actor.user_id, **values),
        )
        await s.refresh(member)
        if not won:
            raise _already_decided(member)
        self.audit(s, actor, action, member_id=member.id)

    async def approve(self, actor: Actor, member_id: int) -> Decision:
        """Approve a pending sign-up exactly once; return the roles to give and where to welcome."""
        first_level = self.settings_for(actor.guild_id).ladder.levels[0].key
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            if member.user_id == actor.user_id:
                raise NotAllowed("You can't approve your own sign-up.")
            if (
                member.age_band in self.settings_for(actor.guild_id).group.under_16_age_bands
                and member.carer_aware_confirmed_at is None
            ):
                raise Conflict(
                    "This person is under 16: first confirm that a parent or carer knows "
                    "they are joining (the 'Parent/carer knows' button)."
                )
            await self._decide(
                s, actor, member, "member.approve", status="approved", level_key=first_level
            )
            roles = [
                config.carer_role_id if member.member_type == "carer" else config.member_role_id
            ]
            level_role = await s.get(LevelRole, (actor.guild_id, first_level))
            if level_role is not None:
                roles.append(level_role.role_id)
            role_ids = [r for r in roles if r is not None]
            # Owed with the decision: a Discord failure delays the role and welcome, never
            # loses them (they were sent from the button handler, once, before).
            await owe_approval(self, s, config, member, role_ids)
            decision = Decision(
                member=member_view(member, self.settings_for(member.guild_id)),
                add_role_ids=role_ids,
                welcome_channel_id=config.welcome_channel_id,
                worker_log_channel_id=config.worker_log_channel_id,
            )
        self.wake()
        return decision

    async def decline(self, actor: Actor, member_id: int, reason: str) -> Decision:
        """Decline a pending sign-up with a reason the person will be given."""
        text = clean_text(reason, field="the reason", max_length=REASON_MAX, multiline=True)
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            member = await self._get(s, actor.guild_id, member_id)
            await self._decide(
                s, actor, member, "member.decline", status="declined", decline_reason=text
            )
            await owe_decline(self, s, member)
            decision = Decision(
                member=member_view(member, self.settings_for(member.guild_id)),
                worker_log_channel_id=config.worker_log_channel_id,
            )
        self.wake()
        return decision
