"""support spaces as private threads in one channel; the last message safeguarding saw;
flagged messages by staff authors

Revision ID: 0012_support_spaces
Revises: 0011_engagement_receipts
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_support_spaces"
down_revision: str | None = "0011_engagement_receipts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("author_is_staff", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "support_places",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("spaces_channel_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_support_places")),
    )
    op.create_table(
        "support_watermarks",
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("last_message_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_support_watermarks")),
    )
    with op.batch_alter_table("support_watermarks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_watermarks_guild_id"), ["guild_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("support_watermarks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_watermarks_guild_id"))
    op.drop_table("support_watermarks")
    op.drop_table("support_places")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_column("author_is_staff")
