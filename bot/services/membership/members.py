"""A member's own record: profile, breaks, leaving, equality answers, and who they count as."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import EqualityMonitoring, GuildConfig, Member
from bot.services.access import (
    Actor,
    guild_config,
    is_moderator,
    is_worker,
    require_member,
)
from bot.services.base import Service, insert_once
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.membership.forms import (
    EQUALITY_QUESTIONS,
    PREFER_NOT,
    Departure,
    JoinForm,
    MemberView,
    checked_values,
    member_view,
)
from bot.services.membership.owed import owe_role_removal
from bot.services.membership.records import find_record, member_role_ids, own_record


class MemberRecords(Service):
    """What members do with their own record."""

    async def profile(self, actor: Actor) -> MemberView:
        """Return the actor's own membership record."""
        async with self.db.begin() as s:
            return member_view(await require_member(s, actor), self.settings_for(actor.guild_id))

    async def status_of(self, guild_id: int, user_id: int) -> MemberView | None:
        """Return someone's record whatever its status, or None (for help and routing)."""
        async with self.db.begin() as s:
            member = await find_record(s, guild_id, user_id)
            return member_view(member, self.settings_for(guild_id)) if member else None

    async def update_profile(self, actor: Actor, form: JoinForm) -> MemberView:
        """Replace the editable profile fields with what the member typed."""
        values = checked_values(form, self.settings_for(actor.guild_id))
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            for key, value in values.items():
                setattr(member, key, value)
            return self._done(s, actor, member, "member.profile_edit")

    async def pause(self, actor: Actor) -> MemberView:
        """Start a break: the level is kept and no reminders are sent meanwhile."""
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            if member.status == "paused":
                raise Conflict("You are already on a break. Use /resume when you are ready.")
            member.status = "paused"
            member.paused_at = self.clock.now()
            return self._done(s, actor, member, "member.pause")

    async def resume(self, actor: Actor) -> MemberView:
        """End a break."""
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            if member.status != "paused":
                raise Conflict("You are not on a break, so there is nothing to resume.")
            member.status = "approved"
            member.paused_at = None
            return self._done(s, actor, member, "member.resume")

    def _done(self, s: AsyncSession, actor: Actor, member: Member, action: str) -> MemberView:
        """Audit the member's own change and return the record as it now stands."""
        self.audit(s, actor, action, member_id=member.id)
        return member_view(member, self.settings_for(member.guild_id))

    async def leave(self, actor: Actor) -> Departure:
        """Leave the group: roles go, the record is kept (marked left) until /forgetme."""
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            member = await require_member(s, actor)
            member.status = "left"
            member.left_at = self.clock.now()
            member.dm_opt_in = False
            self.audit(s, actor, "member.leave", member_id=member.id)
            role_ids = await member_role_ids(s, config)
            await owe_role_removal(self, s, member, role_ids)
            departure = Departure(actor.user_id, role_ids)
        self.wake()
        return departure

    async def save_equality(self, actor: Actor, answers: dict[str, str]) -> None:
        """Store optional equality answers; every question accepts 'Prefer not to say'."""
        for question, answer in answers.items():
            options = EQUALITY_QUESTIONS.get(question)
            if options is None or (answer not in options and answer != PREFER_NOT):
                raise InvalidInput(f"Please choose one of the options for {question}.")
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await own_record(s, actor)
            if member is None or member.status in {"left", "declined"}:
                raise NotAllowed("You need to sign up with /join first.")
            # Insert-or-nothing, then merge under a row lock: four saves at once keep all four
            # answers (select-then-insert raised IntegrityError on PostgreSQL).
            await insert_once(
                s,
                EqualityMonitoring,
                ["member_id"],
                member_id=member.id,
                answers={},
                answered_at=now,
            )
            row = await s.scalar(
                select(EqualityMonitoring)
                .where(EqualityMonitoring.member_id == member.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            assert row is not None  # inserted above, or there already
            row.answers = {**(row.answers or {}), **answers}
            row.answered_at = now

    async def groups_of(self, user_id: int) -> list[int]:
        """Return the servers holding this person's record (they have not left), by id.

        The database answers, not a gateway cache: a DM reaches one process, which holds only
        the servers on its own shards.
        """
        async with self.db.begin() as s:
            found = await s.scalars(
                select(Member.guild_id)
                .where(Member.user_id == user_id, Member.status != "left")
                .order_by(Member.guild_id)
            )
            return list(found)

    async def audiences(self, actor: Actor) -> set[str]:
        """Return who the actor counts as for /help: everyone, member, worker, moderator, admin."""
        allowed = {"everyone"}
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, actor.guild_id)
            member = await own_record(s, actor)
        if member is not None and member.status in {"approved", "paused"}:
            allowed.add("member")
        if config is not None and is_worker(config, actor):
            allowed |= {"worker", "member"}
        if config is not None and is_moderator(config, actor):
            allowed.add("moderator")
        if actor.is_admin:
            allowed.add("admin")
        return allowed
