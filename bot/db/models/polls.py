"""Quick polls and their ballots (see bot/services/polls/ballots.py for the anonymity design)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, ServerRow, Snowflake, TZDateTime, cascade, set_null


class Poll(ServerRow, Base):
    """One quick poll; its row is also the record of its scheduled close and reminder."""

    __tablename__ = "polls"

    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    results_hidden: Mapped[bool] = mapped_column(Boolean, default=True)
    audience_kind: Mapped[str] = mapped_column(String(16))  # everyone | locality | level
    audience_value: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[int] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(TZDateTime)
    closes_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    reminder_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Setting closed_at is the exactly-once claim of the close and of posting its results.
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    closed_by: Mapped[int | None] = mapped_column(Snowflake)
    close_reason: Mapped[str | None] = mapped_column(String(16))  # time | early
    audience_size: Mapped[int | None] = mapped_column(Integer)  # snapshot taken at close
    # The per-poll HMAC key that finds a voter's ballot; destroyed (NULL) at close.
    ballot_secret: Mapped[bytes | None] = mapped_column(LargeBinary(32))


class PollBallot(Base):
    """One voter's current choices in one poll: no surrogate id, no timestamps.

    WITHOUT ROWID on SQLite so that not even the hidden rowid keeps the order of casting.
    """

    __tablename__ = "poll_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = cascade("polls.id", primary_key=True)
    # HMAC-SHA256(poll secret, user id) in hex, or random hex once unlinked by erasure.
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # A bit per option (bit i set = option i chosen); at most 10 options.
    choices: Mapped[int] = mapped_column(Integer)
    # Only named polls fill this in; anonymous polls never store who cast a ballot.
    member_id: Mapped[int | None] = set_null("members.id", index=True)


class PollErasedVoter(Base):
    """The mark that someone voted in an open poll and then erased their data.

    Their ballot stays counted but is re-keyed at random, so nothing links it to them; this
    mark (the same HMAC key their ballot had, and nothing else) stops the same Discord account
    from voting a second time after re-joining. Deleted when the poll closes, with its secret.
    WITHOUT ROWID on SQLite, like the ballots, so that storage order says nothing.
    """

    __tablename__ = "poll_erased_voters"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = cascade("polls.id", primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)
