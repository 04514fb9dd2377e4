"""Needs get a number for the in-memory index and a change number to catch up by.

Replaces the ``need_categories`` table: open needs are now indexed in
memory, by category and every other hard condition. Existing needs are
numbered in id order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("needs") as batch:
        batch.add_column(sa.Column("nid", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("seq", sa.BigInteger, nullable=True))
    conn = op.get_bind()
    ids = conn.execute(sa.text("SELECT id FROM needs ORDER BY id")).scalars().all()
    if ids:
        conn.execute(
            sa.text("UPDATE needs SET nid = :n, seq = :n WHERE id = :id"),
            [{"n": n, "id": need_id} for n, need_id in enumerate(ids, start=1)],
        )
    with op.batch_alter_table("needs") as batch:
        batch.alter_column("nid", existing_type=sa.BigInteger, nullable=False)
        batch.alter_column("seq", existing_type=sa.BigInteger, nullable=False)
        batch.create_index("ux_needs_nid", ["nid"], unique=True)
        batch.create_index("ux_needs_seq", ["seq"], unique=True)
    op.drop_table("need_categories")


def downgrade() -> None:
    op.create_table(
        "need_categories",
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("need_id", sa.String(64), primary_key=True),
    )
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM needs WHERE status = 'erased'"))
    rows = conn.execute(sa.text("SELECT id, details FROM needs WHERE status = 'open'")).all()
    pairs = [
        {"category": category, "need_id": need_id}
        for need_id, details in rows
        for category in set(
            (json.loads(details) if isinstance(details, str) else details)["categories"]
        )
    ]
    if pairs:
        conn.execute(
            sa.text("INSERT INTO need_categories (category, need_id) VALUES (:category, :need_id)"),
            pairs,
        )
    with op.batch_alter_table("needs") as batch:
        batch.drop_index("ux_needs_seq")
        batch.drop_index("ux_needs_nid")
        batch.drop_column("seq")
        batch.drop_column("nid")
