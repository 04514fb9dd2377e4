"""Alembic environment of matching (run through lotse_shared.migrations.upgrade)."""

from lotse_matching.adapters.orm import metadata
from lotse_shared.migrations import configure_and_run

configure_and_run(metadata)
