"""Moving between levels: the member chooses, a worker confirms once, or the member steps down."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LevelChange, LevelNotice, Member
from bot.group_config import LevelConfig
from bot.services.access import Actor, guild_config, require_member, require_worker
from bot.services.base import claim
from bot.services.engagement.common import LadderService, in_guild, not_own, who
from bot.services.engagement.eligibility import scan, standing_of
from bot.services.engagement.move_views import (
    CHOICES,
    STATE_TEXT,
    EligibleView,
    LevelMove,
    MoveChoice,
    MoveDeclined,
    choice_text,
)
from bot.services.engagement.owed import (
    MOVE_CARD,
    level_role,
    owe_card,
    owe_dm,
    owe_level_roles,
    owe_move_card_redraw,
    undelivered_notices,
)
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.text import clean_text


class LevelMovesService(LadderService):
    """Answer notices, confirm or decline moves, step down, list who is eligible."""

    async def _decision(
        self, s: AsyncSession, actor: Actor, notice_id: int, refusal: str
    ) -> tuple[LevelNotice, Member]:
        """Load a notice and its member for a worker's decision (never on their own move)."""
        await require_worker(s, actor)
        notice = await in_guild(
            s, LevelNotice, notice_id, actor.guild_id, "That level message no longer exists."
        )
        member = await s.get(Member, notice.member_id)
        assert member is not None
        not_own(member, actor, refusal)
        return notice, member

    async def check_worker(self, actor: Actor) -> None:
        """Refuse anyone who is not a worker (before a form opens)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)

    async def notice_server(self, notice_id: int) -> int | None:
        """Return the server a level notice belongs to (for its buttons in a DM)."""
        return await self.server_of(LevelNotice, notice_id)

    async def choose(self, actor: Actor, notice_id: int, choice: str) -> MoveChoice:
        """Record the member's choice to move up or stay; Stay takes back a waiting request."""
        if choice not in CHOICES:
            raise InvalidInput("Please choose Move up or Stay.")
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor, allow_paused=False)
            notice = await in_guild(
                s, LevelNotice, notice_id, actor.guild_id, "That level message no longer exists."
            )
            if notice.member_id != member.id:
                raise NotAllowed("That message was meant for someone else.")
            level = self.ladder_for(actor.guild_id).get(notice.level_key)
            if self.ladder_for(actor.guild_id).index(member.level_key) >= self.ladder_for(
                actor.guild_id
            ).index(notice.level_key):
                raise Conflict(self._already_at(member, choice))
            # Stay while a request waits for a worker takes the request back.
            withdrawing = choice == "stay" and notice.choice == "move_up" and not notice.outcome
            # Conditional: a double click records one choice and posts one card for workers.
            won = await claim(
                s,
                update(LevelNotice)
                .where(
                    LevelNotice.id == notice_id,
                    or_(LevelNotice.outcome.is_(None), LevelNotice.outcome == "declined"),
                    or_(
                        LevelNotice.choice.is_(None),
                        LevelNotice.choice != choice,
                        LevelNotice.outcome == "declined",
                    ),
                )
                .values(choice=choice, chose_at=now, outcome=None, decline_reason=None),
            )
            if not won:
                await s.refresh(notice)
                raise Conflict(
                    self._already_at(member, choice)
                    if notice.outcome == "confirmed"
                    else "You have already asked to move up: a worker will confirm it."
                    if choice == "move_up"
                    else "You have already chosen to stay. Nothing has changed."
                )
            action = "withdraw" if withdrawing else f"choose_{choice}"
            self.audit(s, actor, f"level.{action}", member_id=member.id, detail=notice.level_key)
            config = await guild_config(s, actor.guild_id)
            if choice == "move_up":
                await owe_card(self, s, MOVE_CARD, member, notice_id=notice.id)
            elif withdrawing:
                await owe_move_card_redraw(self, s, member, notice.id)
            chosen = MoveChoice(
                notice_id=notice.id,
                **who(member),
                level_key=level.key,
                level_name=level.name,
                choice=choice,
                worker_log_channel_id=config.worker_log_channel_id,
                text=choice_text(level.name, choice, withdrawing),
                withdrawn=withdrawing,
            )
        self.wake()
        return chosen

    def _already_at(self, member: Member, choice: str) -> str:
        """Say that the move has happened, and how to go back if that is what they want."""
        name = self.ladder_for(member.guild_id).get(member.level_key).name
        if choice == "stay":
            return (
                f"A worker has already confirmed your move, so you are at {name} now. If you'd "
                "rather go back, use /levels step-down: that is completely fine."
            )
        return f"You are already at {name}."

    async def confirm(self, actor: Actor, notice_id: int) -> LevelMove:
        """Confirm a requested move up exactly once; return the roles to swap."""
        now = self.clock.now()
        async with self.db.begin() as s:
            notice, member = await self._decision(
                s, actor, notice_id, "You can't confirm your own level move: ask another worker."
            )
            already = f"{member.preferred_name}'s move has already been confirmed."
            if notice.outcome == "confirmed":
                raise Conflict(already)
            if notice.choice != "move_up":
                # Never asked, or asked and then took it back ("I'd rather stay").
                raise Conflict(
                    f"{member.preferred_name} has not asked to move up (or has taken the request "
                    "back), so there is nothing to confirm."
                )
            ladder = self.ladder_for(member.guild_id)
            target = ladder.get(notice.level_key)
            current = ladder.below(target.key)
            if current is None or member.level_key != current.key:
                raise Conflict(
                    f"{member.preferred_name} is at {ladder.get(member.level_key).name} "
                    "now, so this move no longer applies."
                )
            needs = ladder.missing(target, await standing_of(s, self.settings, member, now))
            if needs:
                raise Conflict(
                    f"{member.preferred_name} no longer meets {target.name}: they still need "
                    "to " + "; ".join(needs) + "."
                )
            # Two workers confirming at once: only one UPDATE matches outcome IS NULL.
            decided = await claim(
                s,
                update(LevelNotice)
                .where(
                    LevelNotice.id == notice_id,
                    LevelNotice.choice == "move_up",
                    LevelNotice.outcome.is_(None),
                )
                .values(outcome="confirmed", decided_at=now, decided_by=actor.user_id),
            )
            moved = await claim(
                s,
                update(Member)
                .where(Member.id == member.id, Member.level_key == current.key)
                .values(level_key=target.key),
            )
            if not (decided and moved):
                raise Conflict(already)
            move = await self._moved(s, actor, member, current, target, "up", notice_id)
            await owe_dm(self, s, member, move.text, "move_up", None)
        self.wake()
        return move

    async def decline(self, actor: Actor, notice_id: int, reason: str) -> MoveDeclined:
        """Do not confirm a requested move, with a reason the member is given."""
        text = clean_text(reason, field="the reason", max_length=500, multiline=True)
        assert text is not None
        now = self.clock.now()
        async with self.db.begin() as s:
            notice, member = await self._decision(
                s, actor, notice_id, "You can't decide your own level move: ask another worker."
            )
            await claim(
                s,
                update(LevelNotice)
                .where(
                    LevelNotice.id == notice_id,
                    LevelNotice.choice == "move_up",
                    LevelNotice.outcome.is_(None),
                )
                .values(
                    outcome="declined",
                    decided_at=now,
                    decided_by=actor.user_id,
                    decline_reason=text,
                ),
                "This move is not waiting for a decision.",
            )
            self.audit(s, actor, "level.decline", member_id=member.id, detail=notice.level_key)
            level = self.ladder_for(member.guild_id).get(notice.level_key)
            declined = MoveDeclined(
                notice_id=notice_id,
                user_id=member.user_id,
                level_name=level.name,
                reason=text,
                text=(
                    f"A worker has not confirmed your move to {level.name} for now. "
                    f"Their reason: {text}\nYou can ask again from /progress."
                ),
            )
            await owe_dm(self, s, member, declined.text, "move_declined", None)
        self.wake()
        return declined

    async def step_down(self, actor: Actor) -> LevelMove:
        """Move the actor down one level at once (no confirmation needed)."""
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            current = self.ladder_for(member.guild_id).get(member.level_key)
            lower = self.ladder_for(member.guild_id).below(current.key)
            if lower is None:
                raise Conflict(
                    f"You are at the first level, {current.name}, so you can't step down."
                )
            await claim(
                s,
                update(Member)
                .where(Member.id == member.id, Member.level_key == member.level_key)
                .values(level_key=lower.key),
                "Your level just changed; please look at /progress again.",
            )
            # Reopen the notice for the level left, so that moving back up is the member's
            # choice again (from /progress); it is not sent again, so there is no nudge.
            await s.execute(
                update(LevelNotice)
                .where(LevelNotice.member_id == member.id, LevelNotice.level_key == current.key)
                .values(
                    choice=None,
                    chose_at=None,
                    outcome=None,
                    decided_at=None,
                    decided_by=None,
                    decline_reason=None,
                )
                .execution_options(synchronize_session=False)
            )
            move = await self._moved(s, actor, member, current, lower, "down", None)
        self.wake()
        return move

    async def _moved(
        self,
        s: AsyncSession,
        actor: Actor,
        member: Member,
        old: LevelConfig,
        new: LevelConfig,
        direction: str,
        notice_id: int | None,
    ) -> LevelMove:
        change = LevelChange(
            guild_id=member.guild_id,
            member_id=member.id,
            from_level=old.key,
            to_level=new.key,
            direction=direction,
            by_user_id=actor.user_id,
            at=self.clock.now(),
        )
        s.add(change)
        await s.flush()
        # The new level's role replaces the old one, through Discord's failures.
        await owe_level_roles(self, s, member, change.id)
        self.audit(
            s,
            actor,
            f"level.{direction}",
            guild_id=member.guild_id,
            member_id=member.id,
            detail=f"{old.key} -> {new.key}",
        )
        text = (
            f"Your move to {new.name} has been confirmed. {new.description}"
            if direction == "up"
            else f"You are now at {new.name}. You can move up again when you are ready."
        )
        return LevelMove(
            **who(member),
            direction=direction,
            from_level_key=old.key,
            from_level_name=old.name,
            to_level_key=new.key,
            to_level_name=new.name,
            remove_role_id=await level_role(s, member.guild_id, old.key),
            add_role_id=await level_role(s, member.guild_id, new.key),
            notice_id=notice_id,
            text=text,
        )

    async def eligible(self, actor: Actor, limit: int = 25) -> list[EligibleView]:
        """List members who meet their next level and are not yet moved (workers only)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            await scan(s, self.settings, self.ladder_for, now, guild_id=actor.guild_id)
            rows = await s.execute(
                select(LevelNotice, Member)
                .join(Member, Member.id == LevelNotice.member_id)
                .where(
                    LevelNotice.guild_id == actor.guild_id,
                    or_(LevelNotice.outcome.is_(None), LevelNotice.outcome == "declined"),
                    Member.status.in_(["approved", "paused"]),
                )
                .order_by(LevelNotice.eligible_at, LevelNotice.id)
            )
            unreachable = await undelivered_notices(s, actor.guild_id)
            views: list[EligibleView] = []
            for notice, member in rows:
                below = self.ladder_for(actor.guild_id).below(notice.level_key)
                if below is None or member.level_key != below.key:
                    continue
                if notice.outcome == "declined":
                    state = "declined"
                elif notice.choice:
                    state = notice.choice
                else:
                    state = "told" if notice.sent_at else "unsent"
                    if state == "told" and not member.dm_opt_in:
                        state = "no_dms"
                    if notice.id in unreachable:
                        state = "unreachable"
                views.append(
                    EligibleView(
                        notice_id=notice.id,
                        **who(member),
                        current_level_name=below.name,
                        next_level_key=notice.level_key,
                        next_level_name=self.ladder_for(actor.guild_id).get(notice.level_key).name,
                        state=state,
                        state_text=STATE_TEXT[state],
                        eligible_at=notice.eligible_at,
                    )
                )
            # Those waiting for a worker come first.
            views.sort(key=lambda v: (v.state != "move_up", v.eligible_at))
            return views[:limit]
