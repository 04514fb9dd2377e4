"""The outbox announces each commit with rows to the relays itself (a statement trigger),
so a transaction spends no statement of its own on it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from lotse_shared.migrations import create_outbox_notify, drop_outbox_notify

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_notify("matching")


def downgrade() -> None:
    drop_outbox_notify("matching")
