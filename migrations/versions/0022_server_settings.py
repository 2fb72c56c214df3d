"""per-server settings: a server's own value for a section of config/

Revision ID: 0022_server_settings
Revises: 0021_reports_index
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0022_server_settings"
down_revision: str | None = "0021_reports_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", bot.db.base.TZDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "section", name=op.f("pk_server_settings")),
    )
    with op.batch_alter_table("server_settings", schema=None) as batch_op:
        batch_op.create_index("ix_server_settings_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("server_settings", schema=None) as batch_op:
        batch_op.drop_index("ix_server_settings_updated_at")
    op.drop_table("server_settings")
