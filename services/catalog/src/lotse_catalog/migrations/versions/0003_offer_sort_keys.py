"""Offers gain their start date and German title as columns, so lists sort by them.

Both are copied from the details document of the offers there are; from now
on the repository writes them with every change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-14
"""

import json
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_offers = sa.table(
    "offers",
    sa.column("id", sa.String),
    sa.column("details", sa.JSON),
    sa.column("start_date", sa.Date),
    sa.column("title_sort", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("start_date", sa.Date, nullable=True))
        batch.add_column(sa.Column("title_sort", sa.Text, nullable=True))
    conn = op.get_bind()
    for offer_id, details in conn.execute(sa.select(_offers.c.id, _offers.c.details)).all():
        if isinstance(details, str):
            details = json.loads(details)
        start = details.get("start_date")
        conn.execute(
            _offers.update()
            .where(_offers.c.id == offer_id)
            .values(
                start_date=date.fromisoformat(start) if start else None,
                title_sort=str(details.get("title", {}).get("de", "")).casefold(),
            )
        )
    with op.batch_alter_table("offers") as batch:
        batch.alter_column("title_sort", existing_type=sa.Text, nullable=False)
        batch.create_index("ix_offers_start_date_id", ["start_date", "id"])
        batch.create_index("ix_offers_title_sort_id", ["title_sort", "id"])


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_index("ix_offers_title_sort_id")
        batch.drop_index("ix_offers_start_date_id")
        batch.drop_column("title_sort")
        batch.drop_column("start_date")
