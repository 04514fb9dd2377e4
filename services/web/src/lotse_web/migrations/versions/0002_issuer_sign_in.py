"""Sign-in through an OpenID Connect issuer: the session's tokens, sign-ins under way.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("token_expires_at", sa.DateTime(timezone=True)))
    op.add_column("sessions", sa.Column("refresh_token", sa.Text))
    op.add_column("sessions", sa.Column("id_token", sa.Text))
    op.create_table(
        "pending_sign_ins",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("browser_hash", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("next", sa.String(2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pending_sign_ins_created", "pending_sign_ins", ["created_at"])
    op.create_table(
        "refused_sign_ins",
        sa.Column("browser_hash", sa.String(64), primary_key=True),
        sa.Column("id_token", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("refused_sign_ins")
    op.drop_index("ix_pending_sign_ins_created", "pending_sign_ins")
    op.drop_table("pending_sign_ins")
    with op.batch_alter_table("sessions") as batch:  # SQLite drops columns by copying
        batch.drop_column("id_token")
        batch.drop_column("refresh_token")
        batch.drop_column("token_expires_at")
