"""The full read model: details documents, the category index, match status and eligibility.

Replaces the first, minimal tables; no release ran on them, so the read model
is rebuilt from the compacted topics (a new consumer group reads them again).

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
    op.drop_index("ix_matches_need_id", "matches")
    op.drop_index("ix_matches_offer_id", "matches")
    for table in ("matches", "needs", "offers"):
        op.drop_table(table)
    op.execute("DELETE FROM inbox")
    op.execute("DELETE FROM outbox")
    op.create_table(
        "offers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_offers_category_status", "offers", ["category", "status"])
    op.create_table(
        "needs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("advisor_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_table(
        "need_categories",
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("need_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "matches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("need_id", sa.String(64), nullable=False),
        sa.Column("offer_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("eligibility", sa.String(20), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invalidated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invalidation_reason", sa.String(20), nullable=True),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("decline_reason", sa.String(40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_matches_need_id", "matches", ["need_id"])
    op.create_index("ix_matches_offer_id", "matches", ["offer_id"])


def downgrade() -> None:
    raise NotImplementedError(
        "0002 replaced the minimal read model; rebuild it from the topics instead"
    )
