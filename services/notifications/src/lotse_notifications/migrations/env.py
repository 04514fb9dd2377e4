"""Alembic environment of notifications (run through lotse_shared.migrations.upgrade)."""

from lotse_notifications.adapters.orm import metadata
from lotse_shared.migrations import configure_and_run

configure_and_run(metadata)
