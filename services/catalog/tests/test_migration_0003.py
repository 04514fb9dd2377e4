"""Migration 0003 gives the offers there are their start date and German title to sort by."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from lotse_shared.migrations import upgrade

MIGRATIONS = str(resources.files("lotse_catalog") / "migrations")


async def test_existing_offers_get_their_sort_keys_from_their_details(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine, MIGRATIONS, "0002")
        async with engine.begin() as conn:
            for offer_id, details in (
                ("o-1", {"title": {"de": "Ärztliche Beratung", "en": "Advice"}, "start_date": "2027-01-11"}),
                ("o-2", {"title": {"de": "Deutschkurs"}}),
            ):  # fmt: skip
                await conn.execute(
                    text(
                        "INSERT INTO offers (id, provider_id, category, municipality, status,"
                        " title_search, version, updated_at, details) VALUES (:id, 'vhs',"
                        " 'counselling', '05978028', 'published', '', 1, :at, :details)"
                    ),
                    {
                        "id": offer_id,
                        "at": datetime(2026, 12, 1, tzinfo=UTC),
                        "details": json.dumps(details),
                    },
                )
        await upgrade(engine, MIGRATIONS)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT id, title_sort, start_date FROM offers ORDER BY id")
                )
            ).all()
        found = [
            (r.id, r.title_sort, date.fromisoformat(str(r.start_date)) if r.start_date else None)
            for r in rows
        ]
        assert found == [
            ("o-1", "ärztliche beratung", date(2027, 1, 11)),
            ("o-2", "deutschkurs", None),
        ]
    finally:
        await engine.dispose()
