"""Sessions, interface preferences and accessibility feedback.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation", sa.String(120), nullable=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("api_token", sa.Text, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flash", sa.JSON, nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("previous_visit_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page", sa.String(300), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("reply_to", sa.String(254), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("users")
    op.drop_index("ix_sessions_user", "sessions")
    op.drop_table("sessions")
