"""Sessions: meetings, their series, replies, reminders, attendance and feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, cascade


class SessionMemberRow:
    """A numbered row about one member and one session, gone when either is deleted."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-3)
    session_id: Mapped[int] = cascade("group_sessions.id", index=True, sort_order=-2)
    member_id: Mapped[int] = cascade("members.id", index=True, sort_order=-1)


class SessionSeries(ServerRow, Base):
    """A repeating pattern that produced several sessions."""

    __tablename__ = "session_series"

    repeat: Mapped[str] = mapped_column(String(16))  # weekly | fortnightly | monthly
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)


class GroupSession(ServerRow, Base):
    """One meeting of the group, online or in person; times are stored in UTC."""

    __tablename__ = "group_sessions"

    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    agenda: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(TZDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    online_link: Mapped[str | None] = mapped_column(String(500))
    place: Mapped[str | None] = mapped_column(String(200))
    locality: Mapped[str | None] = mapped_column(String(64))
    capacity: Mapped[int | None] = mapped_column(Integer)
    audience_kind: Mapped[str] = mapped_column(String(16))  # everyone | locality | level
    audience_value: Mapped[str | None] = mapped_column(String(64))
    papers_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), index=True)  # scheduled | cancelled
    # Bumped on every change so calendar apps replace their copy of the .ics.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(Snowflake)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    quorum_due_at: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    quorum_checked_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    discord_event_id: Mapped[int | None] = mapped_column(Snowflake)
    announce_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    announce_message_id: Mapped[int | None] = mapped_column(Snowflake)
    # When to remind workers to mark attendance (the end); cleared once prompted or marked.
    wrapup_due_at: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    attendance_marked_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    attendance_marked_by: Mapped[int | None] = mapped_column(Snowflake)
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_posted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    minutes_posted_by: Mapped[int | None] = mapped_column(Snowflake)


class SessionRsvp(SessionMemberRow, Base):
    """One member's reply to one session: a single row, changed in place."""

    __tablename__ = "session_rsvps"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    reply: Mapped[str] = mapped_column(String(8))  # going | maybe | cant
    waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Promotion order: the earliest to join the waitlist gets the next free place.
    waitlisted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    replied_at: Mapped[datetime] = mapped_column(TZDateTime)


class SessionReminder(SessionMemberRow, Base):
    """A DM due to one confirmed attendee; claimed once by setting sent_at or skipped_at.

    sent_at is set when the reminder is handed to the outbox (in the same transaction); if
    Discord refuses it for good, or it would arrive after the start, it becomes skipped with
    the reason instead.
    """

    __tablename__ = "session_reminders"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id", "kind"),
        Index("ix_session_reminders_pending", "sent_at", "skipped_at", "due_at"),
    )

    kind: Mapped[str] = mapped_column(String(16))  # papers | 24h | 1h (from the offsets)
    due_at: Mapped[datetime] = mapped_column(TZDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    skipped_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    skip_reason: Mapped[str | None] = mapped_column(String(64))


class SessionAttendance(SessionMemberRow, Base):
    """Who came to a session and who helped run it, as marked by a worker."""

    __tablename__ = "session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    cofacilitated: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_by: Mapped[int | None] = mapped_column(Snowflake)
    marked_at: Mapped[datetime] = mapped_column(TZDateTime)


class SessionFeedback(SessionMemberRow, Base):
    """An attendee's short feedback on a session, given once."""

    __tablename__ = "session_feedback"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    rating: Mapped[int] = mapped_column(Integer)  # 1..5
    listened: Mapped[str] = mapped_column(String(8))  # yes | partly | no
    comment: Mapped[str | None] = mapped_column(String(1000))
    given_at: Mapped[datetime] = mapped_column(TZDateTime)
