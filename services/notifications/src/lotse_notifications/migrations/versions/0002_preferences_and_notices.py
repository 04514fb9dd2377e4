"""Advisors' language and preference, provider names, and deliveries that can be notices.

Deliveries gain the offer's facts for the email, the eligibility hint, the
invalidation reason of a notice, and when and with whom they go out
(``due_at``, ``group_key``). Reasons become German and English. Existing
deliveries keep their German reasons in both languages and go out as before:
due when recorded, grouped by need.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("advisors") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="de"))
        batch.add_column(
            sa.Column("mode", sa.String(20), nullable=False, server_default="immediate")
        )
        batch.add_column(sa.Column("digest_hour", sa.Integer, nullable=False, server_default="8"))
        batch.add_column(sa.Column("min_score", sa.Float, nullable=False, server_default="0"))
    op.create_table(
        "providers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("offer_facts", sa.JSON, nullable=True))
        batch.add_column(sa.Column("eligibility", sa.String(20), nullable=True))
        batch.add_column(sa.Column("invalidation_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("group_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, reasons FROM deliveries")).all()
    for delivery_id, reasons in rows:
        german = json.loads(reasons) if isinstance(reasons, str) else reasons
        conn.execute(
            sa.text("UPDATE deliveries SET reasons = :reasons WHERE id = :id"),
            {"reasons": json.dumps([{"de": r, "en": r} for r in german]), "id": delivery_id},
        )
    conn.execute(
        sa.text(
            "UPDATE deliveries SET offer_facts = :facts, group_key = need_reference,"
            " due_at = created_at"
        ),
        {"facts": json.dumps({})},
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("offer_facts", existing_type=sa.JSON, nullable=False)
        batch.alter_column("group_key", existing_type=sa.String(64), nullable=False)
        batch.alter_column("due_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_deliveries_advisor_group", ["advisor_id", "group_key"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_advisor_group")
        for column in ("due_at", "group_key", "invalidation_reason", "eligibility", "offer_facts"):
            batch.drop_column(column)
    op.drop_table("providers")
    with op.batch_alter_table("advisors") as batch:
        for column in ("min_score", "digest_hour", "mode", "language"):
            batch.drop_column(column)
