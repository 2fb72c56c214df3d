"""the outbox: every effect on Discord the bot owes, until Discord confirms it

Revision ID: 0009_outbox
Revises: 0008_audience
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0009_outbox"
down_revision: str | None = "0008_audience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=True),
        sa.Column("subject_member_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("done_at", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_member_id"],
            ["members.id"],
            name=op.f("fk_outbox_subject_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbox_dedup_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_subject_member_id"), ["subject_member_id"], unique=False
        )
        batch_op.create_index("ix_outbox_due", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_subject_member_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_guild_id"))
    op.drop_table("outbox")
