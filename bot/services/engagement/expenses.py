"""Expenses: members claim, workers approve, reject with a reason, and mark paid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from bot.db.models import ExpenseClaim, Member
from bot.services.access import Actor, guild_config, require_member, require_worker
from bot.services.base import Service, view_from
from bot.services.engagement.common import (
    claim_and_reload,
    in_guild,
    not_own,
    owner,
    rows_where,
    waiting_rows,
)
from bot.services.engagement.ladder import format_pounds
from bot.services.engagement.owed import CLAIM_CARD, owe_card, owe_claim_redraw, owe_dm
from bot.services.engagement.receipts import Receipt, keep, receipt_from
from bot.services.errors import InvalidInput
from bot.services.text import clean_text

CATEGORIES: dict[str, str] = {
    "travel": "Travel",
    "childcare": "Childcare",
    "respite_care": "Respite care",
    "other": "Other",
}
STATUS_TEXT = {
    "submitted": "waiting for a worker",
    "withdrawn": "withdrawn when the person's data was erased",
    "approved": "approved, waiting to be paid",
    "rejected": "not approved",
    "paid": "paid",
}
NOTE_MAX = 500
_AMOUNT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$")
_PENCE = re.compile(r"^([0-9]{1,2})p$")


def parse_amount(text: str, max_pence: int = 100_000) -> int:
    """Return an amount typed as pounds and pence ('12.50', '£7', '1,000', '50p') in pence."""
    raw = (text or "").strip().replace(" ", "").replace("\u00a3", "", 1)
    limit = format_pounds(max_pence)
    if not raw:
        raise InvalidInput("Please type the amount in pounds and pence, like 12.50.")
    if raw[0] in "-\u2212(":
        raise InvalidInput("The amount can't be negative. Please type what you spent, like 12.50.")
    pence_only = _PENCE.match(raw.lower())
    if pence_only:
        pence = int(pence_only.group(1))
    else:
        match = _AMOUNT.match(raw)
        if match is None:
            raise InvalidInput(
                f"“{text.strip()[:20]}” is not an amount I understand. "
                "Please type pounds and pence with digits, like 12.50 or £7."
            )
        decimals = match.group(1)
        if decimals is not None and len(decimals) > 2:
            raise InvalidInput(
                "Please use at most two digits after the point (pounds and pence), like 12.50."
            )
        pounds, _, pennies = raw.replace(",", "").partition(".")
        if len(pounds.lstrip("0")) > 9:
            raise InvalidInput(f"That amount is too large: the most one claim can be is {limit}.")
        pence = int(pounds) * 100 + int((pennies or "0").ljust(2, "0"))
    if pence == 0:
        raise InvalidInput("The amount must be more than £0.00.")
    if pence > max_pence:
        raise InvalidInput(
            f"That amount is too large: the most one claim can be is {limit}. "
            "For more, please talk to a worker."
        )
    return pence


@dataclass(frozen=True)
class ClaimView:
    """One expenses claim, with the text to tell the member about its latest step."""

    id: int
    member_id: int | None
    user_id: int | None
    preferred_name: str | None
    category: str
    category_name: str
    amount_pence: int
    amount_text: str
    note: str | None
    receipt_filename: str | None  # set while the receipt's bytes are kept
    status: str
    status_text: str
    claimed_at: datetime
    reject_reason: str | None
    decided_by: int | None
    paid_by: int | None
    paid_at: datetime | None
    days_to_pay: int | None
    worker_log_channel_id: int | None
    member_text: str


def _text(c: ExpenseClaim) -> str:
    what = f"Your {CATEGORIES[c.category].lower()} claim for {format_pounds(c.amount_pence)}"
    if c.status == "submitted":
        return (
            f"{what} has been sent to the workers (claim #{c.id}). "
            "We will tell you when it moves on."
        )
    if c.status == "approved":
        return f"{what} (claim #{c.id}) has been approved and will be paid soon."
    if c.status == "rejected":
        return f"{what} (claim #{c.id}) has not been approved. The reason: {c.reject_reason}"
    return f"{what} (claim #{c.id}) has been paid."


def claim_view(c: ExpenseClaim, m: Member | None, channel_id: int | None = None) -> ClaimView:
    """Return a claim as members and workers see it (with its owner, None once erased)."""
    return view_from(
        ClaimView,
        c,
        user_id=m.user_id if m else None,
        preferred_name=m.preferred_name if m else None,
        category_name=CATEGORIES[c.category],
        amount_text=format_pounds(c.amount_pence),
        status_text=STATUS_TEXT[c.status],
        worker_log_channel_id=channel_id,
        member_text=_text(c),
    )


class ExpensesService(Service):
    """Claims and the workers' decisions on them."""

    async def claim(
        self,
        actor: Actor,
        category: str,
        amount: str,
        note: str | None,
        *,
        receipt: Receipt | None = None,
    ) -> ClaimView:
        """Submit a claim, keeping the receipt's bytes; the workers' card is owed with it."""
        if category not in CATEGORIES:
            raise InvalidInput("Please choose travel, childcare, respite care or other.")
        pence = parse_amount(amount, self.settings_for(actor.guild_id).payments.expense_max_pence)
        text = clean_text(
            note,
            field="the note",
            max_length=NOTE_MAX,
            required=category == "other",
            multiline=True,
        )
        if receipt is not None:
            receipt = receipt_from(receipt.filename, receipt.data)  # never trust the caller's type
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            config = await guild_config(s, actor.guild_id)
            claim = ExpenseClaim(
                guild_id=actor.guild_id,
                member_id=member.id,
                category=category,
                amount_pence=pence,
                note=text,
                # Not the link: Discord's attachment links expire within a day.
                receipt_url=None,
                receipt_filename=receipt.filename if receipt else None,
                status="submitted",
                claimed_at=now,
            )
            s.add(claim)
            await s.flush()
            if receipt is not None:
                keep(s, claim, receipt, now)
            self.audit(s, actor, "expenses.claim", member_id=member.id, detail=f"claim {claim.id}")
            await owe_card(self, s, CLAIM_CARD, member, str(claim.id), claim_id=claim.id)
            view = claim_view(claim, member, config.worker_log_channel_id)
        self.wake()
        return view

    async def mine(self, actor: Actor, limit: int = 25) -> list[ClaimView]:
        """List the actor's claims, newest first."""
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            rows = await rows_where(
                s, ExpenseClaim.member_id, member.id, ExpenseClaim.id.desc(), limit=limit
            )
            return [claim_view(c, member) for c in rows]

    async def waiting(self, actor: Actor, limit: int = 25) -> list[ClaimView]:
        """List claims waiting for a decision or payment, oldest first (workers only)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            waiting = ("submitted", "approved")
            rows = await waiting_rows(
                s, ExpenseClaim, actor.guild_id, waiting, ExpenseClaim.claimed_at, limit=limit
            )
            return [claim_view(c, m) for c, m in rows]

    async def approve(self, actor: Actor, claim_id: int) -> ClaimView:
        """Approve a submitted claim, once; a worker cannot approve their own."""
        return await self._decide(actor, claim_id, "approved", {"submitted"})

    async def reject(self, actor: Actor, claim_id: int, reason: str) -> ClaimView:
        """Reject a submitted or approved (unpaid) claim with a reason the member is given."""
        text = clean_text(reason, field="the reason", max_length=500, multiline=True)
        return await self._decide(actor, claim_id, "rejected", {"submitted", "approved"}, text)

    async def mark_paid(self, actor: Actor, claim_id: int) -> ClaimView:
        """Mark an approved claim as paid, once; store the days from claim to payment."""
        return await self._decide(actor, claim_id, "paid", {"approved"})

    async def _decide(
        self,
        actor: Actor,
        claim_id: int,
        status: str,
        from_statuses: set[str],
        reason: str | None = None,
    ) -> ClaimView:
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            claim = await in_guild(
                s, ExpenseClaim, claim_id, actor.guild_id, f"There is no claim #{claim_id}."
            )
            member = await owner(s, claim.member_id)
            not_own(member, actor, "You can't decide on your own claim: ask another worker.")
            values: dict[str, object]
            if status == "paid":
                days = (now - claim.claimed_at).days
                values = {
                    "status": status,
                    "paid_at": now,
                    "paid_by": actor.user_id,
                    "days_to_pay": days,
                }
            else:
                values = {"status": status, "decided_at": now, "decided_by": actor.user_id}
                if reason is not None:
                    values["reject_reason"] = reason
            # The WHERE on status makes double clicks and two workers at once act once.
            await claim_and_reload(
                s,
                claim,
                update(ExpenseClaim)
                .where(ExpenseClaim.id == claim_id, ExpenseClaim.status.in_(from_statuses))
                .values(**values),
                lambda c: f"Claim #{c.id} is already {STATUS_TEXT[c.status]}.",
            )
            self.audit(
                s,
                actor,
                f"expenses.{status}",
                member_id=claim.member_id,
                detail=f"claim {claim.id}",
            )
            view = claim_view(claim, member)
            await owe_claim_redraw(self, s, claim)
            if member is not None:
                key = f"claim:{claim.id}:{claim.status}"
                await owe_dm(self, s, member, view.member_text, "claim", key)
        self.wake()
        return view
