"""Alembic environment of the web app (run through lotse_shared.migrations.upgrade)."""

from lotse_shared.migrations import configure_and_run
from lotse_web.adapters.orm import metadata

configure_and_run(metadata)
