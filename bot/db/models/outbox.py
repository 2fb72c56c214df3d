"""The outbox: every message, card, role and DM the bot owes, until Discord confirms it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, set_null


class OutboxItem(ServerRow, Base):
    """One effect on Discord the bot decided on, written in the same transaction as the decision.

    Claimed with a lease (`lease_until`), marked done only when Discord confirmed it, retried
    with back-off on 5xx, 429 and network errors, and marked failed with the reason when Discord
    refuses it for good (DMs closed, unknown channel, missing permission).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"),)

    kind: Mapped[str] = mapped_column(String(48))  # e.g. sessions.reminder, polls.results
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # One delivery per decision, however often the deciding code runs.
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # Who the message is about, so erasure can find and redact it; NULL once erased.
    subject_member_id: Mapped[int | None] = set_null("members.id", index=True)
    status: Mapped[str] = mapped_column(String(16))  # pending | done | failed
    due_at: Mapped[datetime] = mapped_column(TZDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Where it ended up (a message the bot may later need to edit or redact).
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    done_at: Mapped[datetime | None] = mapped_column(TZDateTime)
