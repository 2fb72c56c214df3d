"""Opportunities members can put themselves forward for, and the monthly bulletin's issues."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, cascade


class Opportunity(ServerRow, Base):
    """A panel, training, project or event, with who it suits, what it involves and the pay."""

    __tablename__ = "opportunities"

    kind: Mapped[str] = mapped_column(String(16))  # panel | training | project | event
    title: Mapped[str] = mapped_column(String(100))
    involves: Mapped[str] = mapped_column(Text)
    suits: Mapped[str | None] = mapped_column(String(200))
    audience_kind: Mapped[str] = mapped_column(String(16))  # everyone | locality | level
    audience_value: Mapped[str | None] = mapped_column(String(64))
    payment: Mapped[str] = mapped_column(String(300))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # The day it happens, as the start of that day in UK time; interest closes then.
    happens_at: Mapped[datetime] = mapped_column(TZDateTime)
    closes_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)


class OpportunityMember:
    """One member's row about one opportunity (once each): its id, the opportunity, the member.

    Deleting the opportunity or the member deletes the row; the columns come first.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-3)
    opportunity_id: Mapped[int] = cascade("opportunities.id", index=True, sort_order=-2)
    member_id: Mapped[int] = cascade("members.id", index=True, sort_order=-1)


class OpportunityInterest(OpportunityMember, Base):
    """A member who pressed "I'm interested", and whether a worker selected them."""

    __tablename__ = "opportunity_interest"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "member_id", name="uq_opportunity_interest_member"),
    )

    interested_at: Mapped[datetime] = mapped_column(TZDateTime)


class OpportunitySelection(OpportunityMember, Base):
    """A member a worker selected for an opportunity (once; it records their contribution)."""

    __tablename__ = "opportunity_selections"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "member_id", name="uq_opportunity_selections_member"),
    )

    selected_by: Mapped[int | None] = mapped_column(Snowflake)
    selected_at: Mapped[datetime] = mapped_column(TZDateTime)


class BulletinIssue(ServerRow, Base):
    """One month's bulletin in one server: its worker's note, and what went out (once)."""

    __tablename__ = "bulletin_issues"
    __table_args__ = (UniqueConstraint("guild_id", "month", name="uq_bulletin_issues_month"),)

    month: Mapped[str] = mapped_column(String(7))  # "2026-12", in UK time
    note: Mapped[str | None] = mapped_column(String(500))
    note_by: Mapped[int | None] = mapped_column(Snowflake)
    contents: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    recipients: Mapped[int | None] = mapped_column(Integer)
