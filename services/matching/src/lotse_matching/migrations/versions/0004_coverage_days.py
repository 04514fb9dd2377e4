"""A daily snapshot of the coverage figures, for their trend.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coverage_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("municipality", sa.String(8), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("open_needs", sa.Integer, nullable=False),
        sa.Column("needs_without_match", sa.Integer, nullable=False),
        sa.Column("published_offers", sa.Integer, nullable=False),
        sa.Column("free_places", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coverage_days")
