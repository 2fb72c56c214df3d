"""Contributions: what members did, the record behind levels, reports and payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, set_null


class Contribution(ServerRow, Base):
    """One contribution; erasure sets member_id to NULL so aggregate counts survive."""

    __tablename__ = "contributions"
    # One contribution per member, kind and source: recording the same vote twice gives one.
    __table_args__ = (UniqueConstraint("member_id", "kind", "source_key"),)

    member_id: Mapped[int | None] = set_null("members.id", index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    source_key: Mapped[str] = mapped_column(String(80))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    note: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    recorded_by: Mapped[int | None] = mapped_column(Snowflake)
    recorded_at: Mapped[datetime] = mapped_column(TZDateTime)
