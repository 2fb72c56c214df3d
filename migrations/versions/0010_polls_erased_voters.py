"""polls: mark who voted in an open poll before erasing their data, so they vote once

Revision ID: 0010_polls_erased_voters
Revises: 0009_outbox
Create Date: 2026-12-06 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_polls_erased_voters"
down_revision: str | None = "0009_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "poll_erased_voters",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_erased_voters_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "voter_key", name=op.f("pk_poll_erased_voters")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("poll_erased_voters")
