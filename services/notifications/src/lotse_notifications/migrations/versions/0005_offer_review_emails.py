"""The offers waiting for the KI's review, and the emails about the review.

``offer_reviews`` is notifications' own view of ``lotse.offer-reviews``: per
offer its last revision submitted, and whether it waits or was decided.
``review_emails`` holds one email per decision for the provider's role
mailbox and one a day for the KI, sent and retried as advisors' deliveries
are. Both start empty: decisions made before reach no one by email.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_reviews",
        sa.Column("offer_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("revision", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_offer_reviews_status", "offer_reviews", ["status"])
    op.create_table(
        "review_emails",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=True),
        sa.Column("offer_id", sa.String(64), nullable=True),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("revision", sa.Integer, nullable=True),
        sa.Column("published_version", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("report_reason", sa.String(30), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.Date, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_review_emails_status", "review_emails", ["status"])
    op.create_index("ix_review_emails_provider_id", "review_emails", ["provider_id"])


def downgrade() -> None:
    op.drop_table("review_emails")
    op.drop_table("offer_reviews")
