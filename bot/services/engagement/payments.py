"""Payments for paid activity at paid levels, the rate stated in advance, reward choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Contribution, LevelChange, Member, Payment, RewardPreference
from bot.db.upsert import insert_for
from bot.services.access import Actor, require_member, require_worker
from bot.services.base import view_from
from bot.services.engagement.common import (
    ACTIVE,
    LadderService,
    claim_and_reload,
    in_guild,
    member_by_user,
    not_own,
    owner,
    rows_where,
    waiting_rows,
)
from bot.services.engagement.ladder import PLURAL, format_pounds
from bot.services.engagement.owed import owe_dm
from bot.services.errors import InvalidInput
from bot.settings import Settings

REWARDS: dict[str, str] = {
    "money": "money (a bank payment)",
    "voucher": "a voucher",
    "accreditation": "accreditation (a record of hours towards a qualification)",
    "declined": "no payment (you have declined it)",
}


@dataclass(frozen=True)
class RateStatement:
    """What a member will be paid for paid activity, said before they take part."""

    level_key: str
    level_name: str
    paid: bool
    hourly_rate_pence: int | None
    reward: str
    text: str


@dataclass(frozen=True)
class PaymentView:
    """One payment record."""

    id: int
    member_id: int | None
    user_id: int | None
    level_key: str
    kind: str
    hours: Decimal
    rate_pence: int
    amount_pence: int
    amount_text: str
    reward: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    told: bool = False  # a DM was owed (only to members who turned DMs from the bot on)


def amount_for(hours: Decimal, rate_pence: int) -> int:
    """Return hours x rate in whole pence, halves rounded up."""
    return int((hours * rate_pence).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _view(p: Payment, user_id: int | None, told: bool = False) -> PaymentView:
    return view_from(
        PaymentView, p, user_id=user_id, amount_text=format_pounds(p.amount_pence), told=told
    )


async def create_payments(
    s: AsyncSession, settings: Settings, now: datetime, *, after_id: int = 0
) -> list[int]:
    """Create the missing payment rows for paid contributions with id > after_id.

    A contribution is paid when its kind is a paid kind, it has hours, the member is now at a
    paid level, and it happened since they reached that level. Idempotent: one payment per
    contribution (unique), so overlapping scans are harmless. Returns the new payment ids.
    Each server's own levels, rates and paid kinds decide (they may differ from the defaults),
    so those are checked per row rather than in the query.
    """
    since = (
        select(LevelChange.member_id, func.max(LevelChange.at).label("at"))
        .group_by(LevelChange.member_id)
        .subquery()
    )
    rows = await s.execute(
        select(
            Contribution.id,
            Contribution.guild_id,
            Contribution.member_id,
            Contribution.kind,
            Contribution.hours,
            Member.level_key,
            RewardPreference.reward,
        )
        .join(Member, Member.id == Contribution.member_id)
        .outerjoin(since, since.c.member_id == Member.id)
        .outerjoin(RewardPreference, RewardPreference.member_id == Member.id)
        .outerjoin(Payment, Payment.contribution_id == Contribution.id)
        .where(
            Contribution.id > after_id,
            Contribution.hours > 0,
            Member.status.in_(["approved", "paused"]),
            Contribution.occurred_at >= func.coalesce(since.c.at, Member.decided_at),
            Payment.id.is_(None),
        )
    )
    created: list[int] = []
    for cid, guild_id, member_id, kind, hours, level_key, reward in rows:
        server = settings.for_server(guild_id)
        paid_levels = {lvl.key: lvl.hourly_rate_pence for lvl in server.ladder.levels if lvl.paid}
        if level_key not in paid_levels or kind not in server.payments.paid_kinds:
            continue
        rate = paid_levels[level_key] or 0
        reward = reward or "money"
        result = await s.execute(
            insert_for(s, Payment)
            .values(
                guild_id=guild_id,
                member_id=member_id,
                contribution_id=cid,
                level_key=level_key,
                kind=kind,
                hours=hours,
                rate_pence=rate,
                amount_pence=amount_for(Decimal(hours), rate),
                reward=reward,
                status="declined" if reward == "declined" else "due",
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["contribution_id"])
            .returning(Payment.id)
        )
        new_id = result.scalar_one_or_none()
        if new_id is not None:
            created.append(new_id)
    return created


class PaymentsService(LadderService):
    """Reward choices, rate statements and the payments workers mark as paid."""

    async def _statement(self, s: AsyncSession, member: Member) -> RateStatement:
        level = self.ladder_for(member.guild_id).get(member.level_key)
        pref = await s.get(RewardPreference, member.id)
        reward = pref.reward if pref else "money"
        kinds = ", ".join(PLURAL[k] for k in self.settings_for(member.guild_id).payments.paid_kinds)
        if not level.paid or level.hourly_rate_pence is None:
            text = (
                f"Your level, {level.name}, is a volunteer level: taking part is not paid. "
                "You can still claim out-of-pocket expenses (travel, childcare, respite care) "
                "with /expenses claim."
            )
        elif reward == "declined":
            text = (
                f"At your level, {level.name}, paid activity ({kinds}) is paid at "
                f"{format_pounds(level.hourly_rate_pence)} an hour. You have chosen not to be "
                "paid, so nothing will be paid to you. You can change this at any time with "
                "/payments preference."
            )
        else:
            text = (
                f"At your level, {level.name}, paid activity ({kinds}) is paid at "
                f"{format_pounds(level.hourly_rate_pence)} an hour, as {REWARDS[reward]}. "
                "You can change this, or decline payment, with /payments preference."
            )
        return RateStatement(
            level_key=level.key,
            level_name=level.name,
            paid=level.paid,
            hourly_rate_pence=level.hourly_rate_pence,
            reward=reward,
            text=text,
        )

    async def rate_statement(self, actor: Actor) -> RateStatement:
        """Return what the actor will be paid for paid activity, before they take part."""
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            return await self._statement(s, member)

    async def rate_statement_for(self, guild_id: int, user_id: int) -> RateStatement | None:
        """Return a member's rate statement for another feature's invitation, or None."""
        async with self.db.begin() as s:
            member = await member_by_user(s, guild_id, user_id)
            if member is None or member.status not in ACTIVE:
                return None
            return await self._statement(s, member)

    async def set_preference(self, actor: Actor, reward: str) -> RateStatement:
        """Choose money, voucher or accreditation, or decline payment; applies from now on."""
        if reward not in REWARDS:
            raise InvalidInput("Please choose money, voucher, accreditation or no payment.")
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            await s.execute(
                insert_for(s, RewardPreference)
                .values(member_id=member.id, guild_id=actor.guild_id, reward=reward, updated_at=now)
                .on_conflict_do_update(
                    index_elements=["member_id"], set_={"reward": reward, "updated_at": now}
                )
            )
            self.audit(s, actor, "payments.preference", member_id=member.id, detail=reward)
            return await self._statement(s, member)

    async def my_payments(self, actor: Actor, limit: int = 25) -> list[PaymentView]:
        """List the actor's payment records, newest first."""
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            rows = await rows_where(s, Payment.member_id, member.id, Payment.id.desc(), limit=limit)
            return [_view(p, actor.user_id) for p in rows]

    async def due(self, actor: Actor, limit: int = 25) -> list[PaymentView]:
        """List payments waiting to be paid, oldest first (workers only)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await waiting_rows(s, Payment, actor.guild_id, ("due",), limit=limit)
            return [_view(p, m.user_id if m else None) for p, m in rows]

    async def mark_paid(self, actor: Actor, payment_id: int) -> PaymentView:
        """Mark a due payment as paid, exactly once; a worker cannot mark their own."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            payment = await in_guild(
                s, Payment, payment_id, actor.guild_id, "That payment record does not exist."
            )
            member = await owner(s, payment.member_id)
            not_own(member, actor, "You can't mark your own payment as paid: ask another worker.")
            await claim_and_reload(
                s,
                payment,
                update(Payment)
                .where(Payment.id == payment_id, Payment.status == "due")
                .values(status="paid", paid_at=now, paid_by=actor.user_id),
                lambda p: f"This payment is already {p.status}.",
            )
            self.audit(
                s,
                actor,
                "payments.paid",
                member_id=payment.member_id,
                detail=f"payment {payment.id}",
            )
            # Not asked for, so only to those who want DMs from the bot: the others see it
            # in /payments mine.
            told = member is not None and member.dm_opt_in
            view = _view(payment, member.user_id if member else None, told)
            if member is not None and told:
                text = f"Your payment of {view.amount_text} has been made."
                await owe_dm(self, s, member, text, "payment", f"payment:{payment.id}")
        self.wake()
        return view
