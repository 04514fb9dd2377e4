"""Advisors' problem reports the KI has not decided yet, for its daily email.

``open_reports`` is notifications' view of the reports on
``lotse.offer-reviews``: filed, then closed when dismissed or turned into a
change request. It holds the reason only, never the advisor's note. It starts
empty: reports filed before reach the daily email only once filed again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open_reports",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("offer_id", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_open_reports_status", "open_reports", ["status"])


def downgrade() -> None:
    op.drop_table("open_reports")
