"""an index for /report: contributions by server, kind and time, with hours

Revision ID: 0021_reports_index
Revises: 0020_opportunities
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_reports_index"
down_revision: str | None = "0020_opportunities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contributions_report",
            ["guild_id", "kind", "occurred_at", "hours"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index("ix_contributions_report")
