"""opportunities and the monthly bulletin

Revision ID: 0020_opportunities
Revises: 0012_support_spaces
Create Date: 2026-12-06 08:15:32.517366
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0020_opportunities"
down_revision: str | None = "0012_support_spaces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletin_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("note_by", sa.BigInteger(), nullable=True),
        sa.Column("contents", sa.JSON(), nullable=True),
        sa.Column("created_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_issues")),
        sa.UniqueConstraint("guild_id", "month", name="uq_bulletin_issues_month"),
    )
    with op.batch_alter_table("bulletin_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bulletin_issues_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("involves", sa.Text(), nullable=False),
        sa.Column("suits", sa.String(length=200), nullable=True),
        sa.Column("audience_kind", sa.String(length=16), nullable=False),
        sa.Column("audience_value", sa.String(length=64), nullable=True),
        sa.Column("payment", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("happens_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.db.base.TZDateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunities_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opportunities_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opportunities_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "opportunity_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("interested_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_opportunity_interest_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_interest_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_interest")),
        sa.UniqueConstraint("opportunity_id", "member_id", name="uq_opportunity_interest_member"),
    )
    with op.batch_alter_table("opportunity_interest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_interest_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opportunity_interest_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "opportunity_selections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("selected_by", sa.BigInteger(), nullable=True),
        sa.Column("selected_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_opportunity_selections_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_selections_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_selections")),
        sa.UniqueConstraint("opportunity_id", "member_id", name="uq_opportunity_selections_member"),
    )
    with op.batch_alter_table("opportunity_selections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_selections_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opportunity_selections_opportunity_id"), ["opportunity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunity_selections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_selections_opportunity_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_selections_member_id"))

    op.drop_table("opportunity_selections")
    with op.batch_alter_table("opportunity_interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_interest_opportunity_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_interest_member_id"))

    op.drop_table("opportunity_interest")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunities_guild_id"))
        batch_op.drop_index(batch_op.f("ix_opportunities_created_at"))
        batch_op.drop_index(batch_op.f("ix_opportunities_closes_at"))

    op.drop_table("opportunities")
    with op.batch_alter_table("bulletin_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulletin_issues_guild_id"))

    op.drop_table("bulletin_issues")
