"""Workers log, correct and remove contributions by hand; every change is audited."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import BY_HAND, RECORDED_BY_BOT, TIMED, ContributionKind
from bot.db.models import Contribution, Member, Payment
from bot.services.access import Actor, require_worker
from bot.services.base import changed, view_from
from bot.services.contributions import record_contribution
from bot.services.engagement.common import (
    LadderService,
    find_member,
    in_guild,
    not_own,
    owner,
    rows_where,
)
from bot.services.engagement.eligibility import check_member
from bot.services.engagement.ladder import SINGULAR
from bot.services.engagement.payments import amount_for, create_payments
from bot.services.errors import Conflict, InvalidInput
from bot.services.text import clean_text

NOTE_MAX = 200
MAX_HOURS = Decimal(24)
CENTS = Decimal("0.01")
OLDEST = timedelta(days=365 * 2)
_HOURS = re.compile(r"^[0-9]{1,2}(\.[0-9]{1,2})?$")
_UNSET: Any = object()


@dataclass(frozen=True)
class ContributionView:
    """One contribution as workers see it."""

    id: int
    member_id: int | None
    user_id: int | None
    kind: str
    kind_words: str
    source_key: str
    hours: Decimal | None
    note: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Logged:
    """The result of logging: the contribution, whether it was new, and what it set off."""

    contribution: ContributionView
    new: bool
    eligibility_notice_id: int | None
    payment_ids: list[int]


def parse_kind(value: str) -> ContributionKind:
    """Return the contribution kind named by a value, or explain the choices."""
    try:
        return ContributionKind(value)
    except ValueError:
        choices = ", ".join(k.value for k in ContributionKind)
        raise InvalidInput(f"Please choose a kind of contribution from: {choices}.") from None


def hand_kind(value: str) -> ContributionKind:
    """Return a kind a worker may log by hand, or say how the bot records the others."""
    kind = parse_kind(value)
    if kind not in BY_HAND:
        raise InvalidInput(
            f"{RECORDED_BY_BOT[kind]}, so it can't be logged by hand. Please choose what the "
            "person did from the list."
        )
    return kind


def check_hours(kind: ContributionKind, hours: Decimal | None) -> None:
    """Refuse hours on a contribution that is counted, not timed (a vote, say)."""
    if hours is not None and kind not in TIMED:
        raise InvalidInput(
            f"A {SINGULAR[kind]} is counted, not timed, so it can't have hours. "
            "Please leave hours empty."
        )


def parse_hours(value: str | Decimal | None) -> Decimal | None:
    """Return hours as a Decimal (more than 0, at most 24, two decimals), or None if blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not _HOURS.match(text):
        raise InvalidInput("Please give hours as a number like 1.5 (up to two decimal places).")
    hours = Decimal(text)
    if hours <= 0 or hours > MAX_HOURS:
        raise InvalidInput("Hours must be more than 0 and at most 24.")
    return hours


def _view(c: Contribution, user_id: int | None) -> ContributionView:
    return view_from(
        ContributionView,
        c,
        user_id=user_id,
        kind_words=SINGULAR[ContributionKind(c.kind)],
        hours=Decimal(c.hours) if c.hours is not None else None,
    )


def _snapshot(c: Contribution) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "hours": str(Decimal(c.hours).quantize(CENTS)) if c.hours is not None else None,
        "note": c.note,
        "occurred_at": c.occurred_at.isoformat(),
    }


class ContributionsAdminService(LadderService):
    """What workers do to the contribution record by hand."""

    def _when(self, occurred_at: datetime | None, now: datetime) -> datetime:
        if occurred_at is None:
            return now
        if occurred_at.tzinfo is None:
            raise InvalidInput("Please give the date with a time zone.")
        if occurred_at > now + timedelta(minutes=5):
            raise InvalidInput("A contribution can't be in the future.")
        if occurred_at < now - OLDEST:
            raise InvalidInput("That date is more than two years ago; please check it.")
        return occurred_at

    async def _existing(
        self, s: AsyncSession, actor: Actor, contribution_id: int, refusal: str
    ) -> tuple[Contribution, Member | None]:
        """Load a contribution and its member for a worker to change (never their own)."""
        await require_worker(s, actor)
        c = await in_guild(
            s,
            Contribution,
            contribution_id,
            actor.guild_id,
            "That contribution does not exist (it may have been removed).",
        )
        member = await owner(s, c.member_id)
        not_own(member, actor, refusal)
        return c, member

    async def log(
        self,
        actor: Actor,
        member_user_id: int,
        kind: str,
        *,
        hours: str | Decimal | None = None,
        occurred_at: datetime | None = None,
        note: str | None = None,
        source_key: str | None = None,
    ) -> Logged:
        """Log a contribution for a member (workers only); the same source_key logs once."""
        parsed = hand_kind(kind)
        amount = parse_hours(hours)
        check_hours(parsed, amount)
        text = clean_text(note, field="the note", max_length=NOTE_MAX, required=False)
        key = source_key or f"worker:{uuid.uuid4().hex}"
        if len(key) > 80:
            raise InvalidInput("That source is too long to record.")
        now = self.clock.now()
        when = self._when(occurred_at, now)
        async with self.db.begin() as s:
            await require_worker(s, actor)
            member = await find_member(s, actor.guild_id, member_user_id)
            not_own(member, actor, "You can't log your own contributions: ask another worker.")
            new = await record_contribution(
                s,
                guild_id=actor.guild_id,
                member_id=member.id,
                kind=parsed,
                source_key=key,
                occurred_at=when,
                recorded_at=now,
                hours=amount,
                note=text,
                recorded_by=actor.user_id,
            )
            row = await s.scalar(
                select(Contribution).where(
                    Contribution.member_id == member.id,
                    Contribution.kind == parsed.value,
                    Contribution.source_key == key,
                )
            )
            assert row is not None
            notice_id = None
            payments: list[int] = []
            if new:
                self.audit(
                    s,
                    actor,
                    "contribution.log",
                    member_id=member.id,
                    detail=json.dumps({"id": row.id, **_snapshot(row)}),
                )
                notice_id = await check_member(
                    s, self.settings, self.ladder_for(member.guild_id), member, now
                )
                payments = await create_payments(s, self.settings, now, after_id=row.id - 1)
            logged = Logged(_view(row, member.user_id), new, notice_id, payments)
        if notice_id is not None:
            self.wake()
        return logged

    async def correct(
        self,
        actor: Actor,
        contribution_id: int,
        *,
        reason: str,
        kind: str | None = None,
        hours: str | Decimal | None = _UNSET,
        occurred_at: datetime | None = None,
        note: str | None = _UNSET,
    ) -> ContributionView:
        """Correct a wrong contribution (workers only), keeping the before and after."""
        why = clean_text(reason, field="the reason", max_length=200)
        now = self.clock.now()
        async with self.db.begin() as s:
            c, member = await self._existing(
                s,
                actor,
                contribution_id,
                "You can't correct your own contributions: ask another worker.",
            )
            before = _snapshot(c)
            if kind is not None and kind != c.kind:
                new_kind = hand_kind(kind).value
                clash = await s.scalar(
                    select(Contribution.id).where(
                        Contribution.member_id == c.member_id,
                        Contribution.kind == new_kind,
                        Contribution.source_key == c.source_key,
                    )
                )
                if clash is not None:
                    raise Conflict(
                        "That would duplicate another contribution from the same source."
                    )
                c.kind = new_kind
            if hours is not _UNSET:
                c.hours = parse_hours(hours)
            if hours is not _UNSET or kind is not None:
                check_hours(ContributionKind(c.kind), c.hours)
            if occurred_at is not None:
                c.occurred_at = self._when(occurred_at, now)
            if note is not _UNSET:
                c.note = clean_text(note, field="the note", max_length=NOTE_MAX, required=False)
            after = _snapshot(c)
            if after == before:
                raise InvalidInput("Nothing to change: the new details are the same as before.")
            await self._reprice(s, c)
            self.audit(
                s,
                actor,
                "contribution.correct",
                member_id=c.member_id,
                detail=json.dumps({"id": c.id, "before": before, "after": after, "reason": why}),
            )
            await s.flush()
            return _view(c, member.user_id if member else None)

    async def _reprice(self, s: AsyncSession, c: Contribution) -> None:
        """Keep a not-yet-paid payment in step with corrected hours or kind."""
        payment = await s.scalar(
            select(Payment).where(Payment.contribution_id == c.id, Payment.status == "due")
        )
        if payment is None:
            return
        paid_kinds = {k.value for k in self.settings_for(c.guild_id).payments.paid_kinds}
        if c.hours is None or c.kind not in paid_kinds:
            payment.status = "cancelled"
            return
        payment.hours = c.hours
        payment.kind = c.kind
        payment.amount_pence = amount_for(Decimal(c.hours), payment.rate_pence)

    async def remove(self, actor: Actor, contribution_id: int, reason: str) -> ContributionView:
        """Remove a wrong contribution (workers only); an unpaid payment for it is cancelled."""
        why = clean_text(reason, field="the reason", max_length=200)
        async with self.db.begin() as s:
            c, member = await self._existing(
                s,
                actor,
                contribution_id,
                "You can't remove your own contributions: ask another worker.",
            )
            view = _view(c, member.user_id if member else None)
            await s.execute(
                update(Payment)
                .where(Payment.contribution_id == c.id, Payment.status == "due")
                .values(status="cancelled")
            )
            if await changed(s, delete(Contribution).where(Contribution.id == c.id)) != 1:
                raise Conflict("That contribution has already been removed.")
            self.audit(
                s,
                actor,
                "contribution.remove",
                member_id=c.member_id,
                detail=json.dumps({"id": c.id, "before": _snapshot(c), "reason": why}),
            )
            return view

    async def list_for(
        self, actor: Actor, member_user_id: int, limit: int = 25
    ) -> list[ContributionView]:
        """List a member's latest contributions (workers only), e.g. to pick one to correct."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            member = await find_member(s, actor.guild_id, member_user_id, active=False)
            rows = await rows_where(
                s,
                Contribution.member_id,
                member.id,
                Contribution.occurred_at.desc(),
                Contribution.id.desc(),
                limit=limit,
            )
            return [_view(c, member.user_id) for c in rows]
