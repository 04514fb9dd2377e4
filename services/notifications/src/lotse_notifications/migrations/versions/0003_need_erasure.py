"""Deliveries know their need, so that erasing the need can find them; erased needs are kept by id.

Deliveries gain the id of the need they are about; an erasure clears it and
the need's reference (``need_reference`` becomes nullable). ``erased_needs``
holds the ids of erased needs, so that match news arriving after the
tombstone is not recorded. Deliveries recorded before know no need id; the
``match.invalidated`` (reason ``erased``) that matching publishes for each of
an erased need's active matches still finds them by their match.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("need_id", sa.String(64), nullable=True))
        batch.alter_column("need_reference", existing_type=sa.String(20), nullable=True)
        batch.create_index("ix_deliveries_need_id", ["need_id"])
    op.create_table(
        "erased_needs",
        sa.Column("need_id", sa.String(64), primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erased_needs")
    conn = op.get_bind()
    # An erased need's deliveries keep no reference; before 0003 every delivery had one.
    conn.execute(sa.text("UPDATE deliveries SET need_reference = '' WHERE need_reference IS NULL"))
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_need_id")
        batch.alter_column("need_reference", existing_type=sa.String(20), nullable=False)
        batch.drop_column("need_id")
