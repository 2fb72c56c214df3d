"""/mydata and /forgetme for everything engagement stores (and the contribution record)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.models import (
    Contribution,
    ExpenseClaim,
    LevelChange,
    LevelNotice,
    MentorRequest,
    OutboxItem,
    Payment,
    RewardPreference,
    TrainingRecord,
)
from bot.services.engagement.common import rows_where
from bot.services.engagement.owed import POSTS_ABOUT_PERSON, forget_owed
from bot.services.engagement.receipts import erase_for as erase_receipts
from bot.services.engagement.receipts import export_for as receipts_for
from bot.services.personal_data import DiscordTraces, iso, posts_about


def _num(value: Any) -> str | None:
    return str(value) if value is not None else None


def _link_only(claim: ExpenseClaim) -> dict[str, Any] | None:
    """Describe a receipt from before files were kept: only its (long expired) link."""
    if not claim.receipt_url:
        return None
    return {"filename": claim.receipt_filename, "expired_link": claim.receipt_url}


class EngagementPersonalData:
    """Export and erase contributions, levels, training, mentoring, payments and expenses."""

    section = "engagement"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return everything engagement holds about one member."""
        s = session
        contributions = await rows_where(
            s, Contribution.member_id, member_id, Contribution.occurred_at, Contribution.id
        )
        notices = await rows_where(s, LevelNotice.member_id, member_id, LevelNotice.id)
        changes = await rows_where(s, LevelChange.member_id, member_id, LevelChange.id)
        training = await rows_where(s, TrainingRecord.member_id, member_id, TrainingRecord.id)
        asked = await rows_where(s, MentorRequest.member_id, member_id, MentorRequest.id)
        mentoring = await rows_where(s, MentorRequest.mentor_member_id, member_id, MentorRequest.id)
        preference = await s.get(RewardPreference, member_id)
        payments = await rows_where(s, Payment.member_id, member_id, Payment.id)
        claims = await rows_where(s, ExpenseClaim.member_id, member_id, ExpenseClaim.id)
        receipts = await receipts_for(s, [c.id for c in claims])
        return {
            "contributions": [
                {
                    "kind": c.kind,
                    "from": c.source_key,
                    "hours": _num(c.hours),
                    "note": c.note,
                    "when": iso(c.occurred_at),
                }
                for c in contributions
            ],
            "level_messages": [
                {
                    "level": n.level_key,
                    "eligible_at": iso(n.eligible_at),
                    "sent_at": iso(n.sent_at),
                    "your_choice": n.choice,
                    "outcome": n.outcome,
                    "reason": n.decline_reason,
                }
                for n in notices
            ],
            "level_changes": [
                {"from": c.from_level, "to": c.to_level, "direction": c.direction, "at": iso(c.at)}
                for c in changes
            ],
            "training": [
                {"module": t.module_key, "completed_at": iso(t.completed_at)} for t in training
            ],
            "mentoring_requests": [
                {
                    "note": r.note,
                    "status": r.status,
                    "requested_at": iso(r.requested_at),
                    "paired_at": iso(r.paired_at),
                }
                for r in asked
            ],
            "mentoring_others": [
                {"paired_at": iso(r.paired_at), "status": r.status} for r in mentoring
            ],
            "reward_preference": preference.reward if preference else None,
            "payments": [
                {
                    "level": p.level_key,
                    "kind": p.kind,
                    "hours": _num(p.hours),
                    "rate_pence": p.rate_pence,
                    "amount_pence": p.amount_pence,
                    "reward": p.reward,
                    "status": p.status,
                    "created_at": iso(p.created_at),
                    "paid_at": iso(p.paid_at),
                }
                for p in payments
            ],
            "expense_claims": [
                {
                    "category": c.category,
                    "amount_pence": c.amount_pence,
                    "note": c.note,
                    "receipt": receipts.get(c.id) or _link_only(c),
                    "status": c.status,
                    "claimed_at": iso(c.claimed_at),
                    "reject_reason": c.reject_reason,
                    "paid_at": iso(c.paid_at),
                    "days_to_pay": c.days_to_pay,
                }
                for c in claims
            ],
        }

    async def discord_traces(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> DiscordTraces:
        """Return the cards and notes in #worker-log that name the person (to redact)."""
        kinds = OutboxItem.kind.in_(POSTS_ABOUT_PERSON)
        return await posts_about(session, guild_id, member_id, kinds)

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Delete personal rows; keep amounts, kinds and dates for reports, unlinked.

        Every statement names this server: the same person (or staff member) may be in
        another server using the bot, and erasing here must not touch that one.
        """
        s = session

        def theirs(model: Any, column: Any = None) -> tuple[Any, ...]:
            owned = model.member_id if column is None else column
            return (owned == member_id, model.guild_id == guild_id)

        for model in (LevelNotice, LevelChange, TrainingRecord, RewardPreference, MentorRequest):
            await s.execute(delete(model).where(*theirs(model)))
        # Their mentees go back to the queue, so a worker can find someone else.
        mentoring = theirs(MentorRequest, MentorRequest.mentor_member_id)
        await s.execute(
            update(MentorRequest)
            .where(*mentoring, MentorRequest.status == "paired")
            .values(mentor_member_id=None, status="requested", paired_at=None, paired_by=None)
        )
        await s.execute(update(MentorRequest).where(*mentoring).values(mentor_member_id=None))
        # Receipts go with the person; the claim stays, unlinked, for the accounts.
        await erase_receipts(s, guild_id, member_id)
        # Contributions stay for aggregate counts, without the person or their words.
        await s.execute(
            update(Contribution)
            .where(*theirs(Contribution))
            .values(member_id=None, note=None, recorded_by=None)
        )
        # Money not yet paid cannot reach an erased person: withdraw it rather than leave
        # records that workers could approve or mark paid with nobody to receive them.
        await s.execute(
            update(Payment)
            .where(*theirs(Payment), Payment.status == "due")
            .values(status="cancelled")
        )
        await s.execute(
            update(ExpenseClaim)
            .where(*theirs(ExpenseClaim), ExpenseClaim.status.in_(["submitted", "approved"]))
            .values(status="withdrawn")
        )
        await s.execute(update(Payment).where(*theirs(Payment)).values(member_id=None))
        await s.execute(
            update(ExpenseClaim)
            .where(*theirs(ExpenseClaim))
            .values(
                member_id=None,
                note=None,
                receipt_url=None,
                receipt_filename=None,
                reject_reason=None,
            )
        )
        # If the person also acted as staff, their Discord id goes from what they did here.
        by_user = [
            (Contribution.recorded_by, Contribution.guild_id),
            (LevelNotice.decided_by, LevelNotice.guild_id),
            (LevelChange.by_user_id, LevelChange.guild_id),
            (TrainingRecord.recorded_by, TrainingRecord.guild_id),
            (MentorRequest.paired_by, MentorRequest.guild_id),
            (Payment.paid_by, Payment.guild_id),
            (ExpenseClaim.decided_by, ExpenseClaim.guild_id),
            (ExpenseClaim.paid_by, ExpenseClaim.guild_id),
        ]
        for column, guild in by_user:
            await s.execute(
                update(column.class_)
                .where(column == user_id, guild == guild_id)
                .values({column.key: None})
            )
        if member_id:
            await forget_owed(s, guild_id, member_id, self.clock.now())
