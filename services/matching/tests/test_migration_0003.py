"""Migration 0003 numbers the needs there are and retires the category table."""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from lotse_shared.migrations import upgrade

MIGRATIONS = str(resources.files("lotse_matching") / "migrations")


async def test_existing_needs_are_numbered_in_id_order(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine, MIGRATIONS, "0002")
        async with engine.begin() as conn:
            for need_id, status in (("n-b", "closed"), ("n-a", "open")):
                await conn.execute(
                    text(
                        "INSERT INTO needs (id, reference, advisor_id, status, version, details)"
                        " VALUES (:id, 'UNN-ABCDEF', 'adv', :status, 1, :details)"
                    ),
                    {"id": need_id, "status": status, "details": json.dumps({"categories": []})},
                )
        await upgrade(engine, MIGRATIONS)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, nid, seq FROM needs ORDER BY id"))).all()
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert [tuple(r) for r in rows] == [("n-a", 1, 1), ("n-b", 2, 2)]
        assert "need_categories" not in tables
    finally:
        await engine.dispose()
