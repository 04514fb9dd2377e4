"""The review of offers: each offer's review, its revisions, the decisions, advisors' reports.

New tables only; offers published so far have no review and stay as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-18
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRINCIPAL = 255


def _stamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "offer_reviews",
        sa.Column("offer_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("draft", sa.JSON, nullable=True),
        sa.Column("draft_authors", sa.JSON, nullable=False),
        _stamp("waiting_since", nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        _stamp("updated_at"),
    )
    op.create_index("ix_offer_reviews_provider_id", "offer_reviews", ["provider_id"])
    op.create_index(
        "ix_offer_reviews_state_waiting_since", "offer_reviews", ["state", "waiting_since"]
    )
    op.create_table(
        "offer_revisions",
        sa.Column(
            "offer_id",
            sa.String(64),
            sa.ForeignKey("offer_reviews.offer_id"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("submitted_by", sa.String(_PRINCIPAL), nullable=False),
        _stamp("submitted_at"),
        sa.Column("base_version", sa.Integer, nullable=True),
    )
    op.create_table(
        "offer_decisions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "offer_id", sa.String(64), sa.ForeignKey("offer_reviews.offer_id"), nullable=False
        ),
        sa.Column("revision", sa.Integer, nullable=True),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reviewer", sa.String(_PRINCIPAL), nullable=False),
        _stamp("decided_at"),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("report_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_offer_decisions_offer_id", "offer_decisions", ["offer_id"])
    op.create_table(
        "offer_reports",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("offer_id", sa.String(64), sa.ForeignKey("offers.id"), nullable=False),
        sa.Column("advisor_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        _stamp("created_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(_PRINCIPAL), nullable=True),
        _stamp("decided_at", nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
    )
    op.create_index("ix_offer_reports_offer_id", "offer_reports", ["offer_id"])
    op.create_index("ix_offer_reports_advisor_id", "offer_reports", ["advisor_id"])
    op.create_index("ix_offer_reports_status_created_at", "offer_reports", ["status", "created_at"])


def downgrade() -> None:
    for table in ("offer_reports", "offer_decisions", "offer_revisions", "offer_reviews"):
        op.drop_table(table)
