"""polls

Revision ID: 0004_polls
Revises: 0001_membership
Create Date: 2026-11-23 03:31:14.794953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0004_polls"
down_revision: str | None = "0001_membership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("results_hidden", sa.Boolean(), nullable=False),
        sa.Column("audience_kind", sa.String(length=16), nullable=False),
        sa.Column("audience_value", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("reminder_at", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.Column("reminder_sent_at", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("close_reason", sa.String(length=16), nullable=True),
        sa.Column("audience_size", sa.Integer(), nullable=True),
        sa.Column("ballot_secret", sa.LargeBinary(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polls_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_guild_id"), ["guild_id"], unique=False)

    # WITHOUT ROWID on SQLite: no hidden rowid keeps the order in which ballots were cast.
    op.create_table(
        "poll_ballots",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_poll_ballots_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_ballots_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "voter_key", name=op.f("pk_poll_ballots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("poll_ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_ballots_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_ballots_member_id"))
    op.drop_table("poll_ballots")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polls_guild_id"))
        batch_op.drop_index(batch_op.f("ix_polls_closes_at"))
        batch_op.drop_index(batch_op.f("ix_polls_closed_at"))
    op.drop_table("polls")
