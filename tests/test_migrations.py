"""Each service's migrations build exactly the tables its code declares."""

from __future__ import annotations

from importlib import import_module, resources

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from lotse_shared.database import create_engine
from lotse_shared.migrations import upgrade


@pytest.mark.parametrize("service", ["catalog", "matching", "notifications"])
async def test_migrations_match_the_models(service: str, database_url: str) -> None:
    metadata: MetaData = import_module(f"lotse_{service}.adapters.orm").metadata
    engine = create_engine(database_url)
    try:
        await upgrade(engine, str(resources.files(f"lotse_{service}") / "migrations"))
        await upgrade(
            engine, str(resources.files(f"lotse_{service}") / "migrations")
        )  # twice is harmless

        def diff(conn: Connection) -> list[object]:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))

        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()
