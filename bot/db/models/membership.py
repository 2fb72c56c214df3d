"""Guild configuration, members and equality monitoring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, cascade, set_null


class GuildConfig(Base):
    """What /setup created or linked in one server."""

    __tablename__ = "guild_config"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    member_role_id: Mapped[int | None] = mapped_column(Snowflake)
    carer_role_id: Mapped[int | None] = mapped_column(Snowflake)
    worker_role_id: Mapped[int | None] = mapped_column(Snowflake)
    moderator_role_id: Mapped[int | None] = mapped_column(Snowflake)
    safeguarding_role_id: Mapped[int | None] = mapped_column(Snowflake)
    category_id: Mapped[int | None] = mapped_column(Snowflake)
    welcome_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    announcements_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    sessions_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    polls_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    peer_support_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    support_queue_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    worker_log_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    setup_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class LevelRole(Base):
    """The Discord role that stands for one engagement level in one server."""

    __tablename__ = "level_roles"

    guild_id: Mapped[int] = mapped_column(
        Snowflake, ForeignKey("guild_config.guild_id", ondelete="CASCADE"), primary_key=True
    )
    level_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    role_id: Mapped[int] = mapped_column(Snowflake)


class Member(ServerRow, Base):
    """A young person or parent/carer who signed up; erased whole by /forgetme."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    preferred_name: Mapped[str] = mapped_column(String(64))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    age_band: Mapped[str] = mapped_column(String(32))
    member_type: Mapped[str] = mapped_column(String(16))  # young_person | carer
    locality: Mapped[str] = mapped_column(String(64))
    dm_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    adjustments: Mapped[list[str]] = mapped_column(JSON, default=list)
    adjustments_note: Mapped[str | None] = mapped_column(String(500))
    consent_at: Mapped[datetime] = mapped_column(TZDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    carer_aware_confirmed_by: Mapped[int | None] = mapped_column(Snowflake)
    carer_aware_confirmed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    level_key: Mapped[str | None] = mapped_column(String(32))
    joined_at: Mapped[datetime] = mapped_column(TZDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    paused_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    left_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    card_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    card_message_id: Mapped[int | None] = mapped_column(Snowflake)


class EqualityMonitoring(Base):
    """Optional answers, kept apart from the profile and reported only in aggregate."""

    __tablename__ = "equality_monitoring"

    member_id: Mapped[int] = cascade("members.id", primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answered_at: Mapped[datetime] = mapped_column(TZDateTime)


class AuditEntry(ServerRow, Base):
    """A staff action or a change to someone's record, kept for accountability."""

    __tablename__ = "audit_log"

    actor_user_id: Mapped[int | None] = mapped_column(Snowflake)
    action: Mapped[str] = mapped_column(String(48))
    member_id: Mapped[int | None] = set_null("members.id", index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(TZDateTime)
