"""Engagement: level notices and moves, training, mentoring, rewards, payments and expenses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, cascade, set_null
from bot.db.models.contributions import Contribution


class LevelNotice(ServerRow, Base):
    """The one eligibility notice per member and level, and what came of it."""

    __tablename__ = "level_notices"
    # The unique pair is what makes the notice go out once per level, ever.
    __table_args__ = (UniqueConstraint("member_id", "level_key"),)

    member_id: Mapped[int] = cascade("members.id")
    level_key: Mapped[str] = mapped_column(String(32))
    eligible_at: Mapped[datetime] = mapped_column(TZDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    choice: Mapped[str | None] = mapped_column(String(16))  # move_up | stay
    chose_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))  # confirmed | declined
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    decline_reason: Mapped[str | None] = mapped_column(String(500))


class LevelChange(ServerRow, Base):
    """A move between levels (up, confirmed by a worker, or down, by the member)."""

    __tablename__ = "level_changes"

    member_id: Mapped[int] = cascade("members.id", index=True)
    from_level: Mapped[str | None] = mapped_column(String(32))
    to_level: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8))  # up | down
    by_user_id: Mapped[int | None] = mapped_column(Snowflake)
    at: Mapped[datetime] = mapped_column(TZDateTime)


class TrainingRecord(ServerRow, Base):
    """A training module a worker recorded as completed."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("member_id", "module_key"),)

    member_id: Mapped[int] = cascade("members.id")
    module_key: Mapped[str] = mapped_column(String(32))
    completed_at: Mapped[datetime] = mapped_column(TZDateTime)
    recorded_by: Mapped[int | None] = mapped_column(Snowflake)


class MentorRequest(ServerRow, Base):
    """A member asking for a mentor, and the pairing a worker made."""

    __tablename__ = "mentor_requests"
    # open_key is the member id while the request is open and NULL after: one open request each.
    __table_args__ = (UniqueConstraint("open_key"),)

    member_id: Mapped[int] = cascade("members.id", index=True)
    open_key: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(TZDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)  # requested | paired | closed
    mentor_member_id: Mapped[int | None] = set_null("members.id", index=True)
    paired_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    paired_by: Mapped[int | None] = mapped_column(Snowflake)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class RewardPreference(Base):
    """How a member wants to be rewarded for paid activity, chosen in advance."""

    __tablename__ = "reward_preferences"

    member_id: Mapped[int] = cascade("members.id", primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    reward: Mapped[str] = mapped_column(String(16))  # money | voucher | accreditation | declined
    updated_at: Mapped[datetime] = mapped_column(TZDateTime)


class Payment(ServerRow, Base):
    """What a paid contribution at a paid level earns; anonymised, not deleted, on erasure."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("contribution_id"),)

    member_id: Mapped[int | None] = set_null("members.id", index=True)
    contribution_id: Mapped[int | None] = set_null("contributions.id")
    level_key: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rate_pence: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Integer)
    reward: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)  # due | paid | declined | cancelled
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    paid_by: Mapped[int | None] = mapped_column(Snowflake)


class ExpenseClaim(ServerRow, Base):
    """An out-of-pocket claim; on erasure the words go and the amounts and dates stay."""

    __tablename__ = "expense_claims"

    member_id: Mapped[int | None] = set_null("members.id", index=True)
    category: Mapped[str] = mapped_column(String(16))
    amount_pence: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    receipt_url: Mapped[str | None] = mapped_column(String(1000))
    receipt_filename: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    claimed_at: Mapped[datetime] = mapped_column(TZDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    paid_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    paid_by: Mapped[int | None] = mapped_column(Snowflake)
    days_to_pay: Mapped[int | None] = mapped_column(Integer)


class ExpenseReceipt(Base):
    """The bytes of a claim's receipt, kept because Discord's attachment links expire in a day.

    Deleted when the person is erased (the claim itself stays, unlinked, for the accounts).
    """

    __tablename__ = "expense_receipts"

    claim_id: Mapped[int] = cascade("expense_claims.id", primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(TZDateTime)


# /progress reads one member's contributions in time order; this keeps it an index range scan.
contributions_member_time = Index(
    "ix_contributions_member_time",
    Contribution.__table__.c.member_id,
    Contribution.__table__.c.occurred_at,
)
