"""one stored form of an audience: audience_kind + audience_value on sessions and consultations

Polls already kept an audience as two columns; sessions called the kind `audience`, and
consultations kept one string (`everyone`, `locality:X`, `level:Y`). All three now store
`audience_kind` and `audience_value`. This also joins the feature branches into one head.

Revision ID: 0008_audience
Revises: 0003_engagement, 0004_polls, 0005_consultations, 0006_sessions, 0007_support
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audience"
down_revision: str | Sequence[str] | None = (
    "0003_engagement",
    "0004_polls",
    "0005_consultations",
    "0006_sessions",
    "0007_support",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("group_sessions", schema=None) as batch_op:
        batch_op.alter_column(
            "audience",
            new_column_name="audience_kind",
            existing_type=sa.String(length=16),
            existing_nullable=False,
        )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audience_kind", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("audience_value", sa.String(length=64), nullable=True))
    consultations = sa.table(
        "consultations",
        sa.column("id", sa.Integer()),
        sa.column("audience", sa.String()),
        sa.column("audience_kind", sa.String()),
        sa.column("audience_value", sa.String()),
    )
    conn = op.get_bind()
    for row_id, audience in conn.execute(sa.select(consultations.c.id, consultations.c.audience)):
        kind, _, value = (audience or "everyone").partition(":")
        conn.execute(
            consultations.update()
            .where(consultations.c.id == row_id)
            .values(audience_kind=kind, audience_value=value or None)
        )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.alter_column("audience_kind", server_default=None)
        batch_op.drop_column("audience")


def downgrade() -> None:
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audience", sa.String(length=100), nullable=False, server_default="")
        )
    consultations = sa.table(
        "consultations",
        sa.column("id", sa.Integer()),
        sa.column("audience", sa.String()),
        sa.column("audience_kind", sa.String()),
        sa.column("audience_value", sa.String()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(consultations.c.id, consultations.c.audience_kind, consultations.c.audience_value)
    )
    for row_id, kind, value in rows:
        text = kind if not value else f"{kind}:{value}"
        conn.execute(
            consultations.update().where(consultations.c.id == row_id).values(audience=text)
        )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.alter_column("audience", server_default=None)
        batch_op.drop_column("audience_value")
        batch_op.drop_column("audience_kind")
    with op.batch_alter_table("group_sessions", schema=None) as batch_op:
        batch_op.alter_column(
            "audience_kind",
            new_column_name="audience",
            existing_type=sa.String(length=16),
            existing_nullable=False,
        )
