"""The full model: providers, and details documents for every entity.

Replaces the first, minimal tables. No release ran on them, so their rows
(demo data only) are dropped rather than converted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_needs_advisor_id", "needs")
    for table in ("needs", "offers", "advisors"):
        op.drop_table(table)
    op.execute("DELETE FROM outbox")
    op.create_table(
        "providers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_table(
        "advisors",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("municipality", sa.String(8), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title_search", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_offers_provider_id", "offers", ["provider_id"])
    op.create_index("ix_offers_updated_at_id", "offers", ["updated_at", "id"])
    op.create_index("ix_offers_category_municipality", "offers", ["category", "municipality"])
    op.create_table(
        "needs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, unique=True),
        sa.Column("advisor_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("case_reference", sa.String(64), nullable=True),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_needs_advisor_id", "needs", ["advisor_id"])
    op.create_index("ix_needs_expires_on", "needs", ["expires_on"])


def downgrade() -> None:
    raise NotImplementedError("0002 replaced the minimal tables; restore from a backup to go back")
