"""expense receipts kept as bytes: Discord's attachment links expire within a day

Revision ID: 0011_engagement_receipts
Revises: 0010_polls_erased_voters
Create Date: 2026-12-06 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0011_engagement_receipts"
down_revision: str | None = "0010_polls_erased_voters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expense_receipts",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["expense_claims.id"],
            name=op.f("fk_expense_receipts_claim_id_expense_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_expense_receipts")),
    )
    with op.batch_alter_table("expense_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expense_receipts_guild_id"), ["guild_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("expense_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expense_receipts_guild_id"))
    op.drop_table("expense_receipts")
