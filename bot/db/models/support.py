"""Support requests: metadata only, never the words of a conversation or a message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, Snowflake, TZDateTime, set_null


class SupportRequest(Base):
    """One request for support: asked for with /support, raised by a pattern, or a report.

    Deliberately there is no column for what anyone wrote. `escalation_reason` and
    `resolution_note` are short notes by staff, shown in /mydata and wiped by /forgetme.
    """

    __tablename__ = "support_requests"
    __table_args__ = (Index("ix_support_requests_queue", "guild_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    kind: Mapped[str] = mapped_column(String(16))  # request | safeguarding | report
    # The person asking, the author of a flagged message, or the reporter; NULL once erased.
    user_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    member_id: Mapped[int | None] = set_null("members.id", index=True)
    topic: Mapped[str | None] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # open | claimed | escalated | resolved
    # "sg:<message id>" or "report:<message id>:<reporter>": one request per flagged message.
    dedup_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    message_link: Mapped[str | None] = mapped_column(String(200))
    message_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    private_channel_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    card_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    card_message_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    claimed_by: Mapped[int | None] = mapped_column(Snowflake)
    claimed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    escalated_to: Mapped[str | None] = mapped_column(String(16))  # worker | safeguarding
    escalated_by: Mapped[int | None] = mapped_column(Snowflake)
    escalated_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    escalation_reason: Mapped[str | None] = mapped_column(String(300))
    resolved_by: Mapped[int | None] = mapped_column(Snowflake)
    resolved_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    outcome: Mapped[str | None] = mapped_column(String(24))
    resolution_note: Mapped[str | None] = mapped_column(String(300))
    # Re-raising an unclaimed request: the interval last raised (0 = none yet) and when the
    # next one falls due; a conditional UPDATE on `raised_interval` raises each interval once.
    raised_interval: Mapped[int] = mapped_column(Integer, default=0)
    next_raise_at: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    # A flagged message by someone on the staff team (a volunteer moderator may be a young
    # person too): their card is worded kindly and goes to the safeguarding lead.
    author_is_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SupportPlace(Base):
    """Where a server's private support spaces open: a channel of threads the bot made.

    Private threads do not count towards Discord's 50-per-category and 500-per-server channel
    limits, so one parent channel holds every space for years.
    """

    __tablename__ = "support_places"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    spaces_channel_id: Mapped[int | None] = mapped_column(Snowflake)


class SupportWatermark(Base):
    """The newest message the safeguarding check has seen in a watched channel.

    After downtime the bot reads the channel's history from here, so nothing posted while it
    was away goes unchecked. Only ids are kept, never words.
    """

    __tablename__ = "support_watermarks"

    channel_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    last_message_id: Mapped[int] = mapped_column(Snowflake)
