"""Opportunities members can put themselves forward for, and the monthly bulletin's issues."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, Snowflake, TZDateTime


class Opportunity(Base):
    """A panel, training, project or event, with who it suits, what it involves and the pay."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
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


class OpportunityInterest(Base):
    """A member who pressed "I'm interested", and whether a worker selected them."""

    __tablename__ = "opportunity_interest"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "member_id", name="uq_opportunity_interest_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    interested_at: Mapped[datetime] = mapped_column(TZDateTime)


class OpportunitySelection(Base):
    """A member a worker selected for an opportunity (once; it records their contribution)."""

    __tablename__ = "opportunity_selections"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "member_id", name="uq_opportunity_selections_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    selected_by: Mapped[int | None] = mapped_column(Snowflake)
    selected_at: Mapped[datetime] = mapped_column(TZDateTime)


class BulletinIssue(Base):
    """One month's bulletin in one server: its worker's note, and what went out (once)."""

    __tablename__ = "bulletin_issues"
    __table_args__ = (UniqueConstraint("guild_id", "month", name="uq_bulletin_issues_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    month: Mapped[str] = mapped_column(String(7))  # "2026-12", in UK time
    note: Mapped[str | None] = mapped_column(String(500))
    note_by: Mapped[int | None] = mapped_column(Snowflake)
    contents: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    recipients: Mapped[int | None] = mapped_column(Integer)
