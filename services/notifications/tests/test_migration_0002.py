"""Migration 0002 keeps the deliveries there are: German reasons in both languages, due as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.repository import delivery_from
from lotse_shared.migrations import upgrade

MIGRATIONS = str(resources.files("lotse_notifications") / "migrations")


async def test_a_pending_delivery_survives_the_migration_and_can_be_sent(database_url: str) -> None:
    engine = create_async_engine(database_url)
    created = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    try:
        await upgrade(engine, MIGRATIONS, "0001")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO deliveries (id, advisor_id, match_id, kind, need_reference,"
                    " offer_title, offer_category, offer_municipality, score, reasons, status,"
                    " attempts, next_attempt_at, created_at) VALUES ('d-1', 'adv-1', 'm-1',"
                    " 'match_found', 'UNN-ABCDEF', 'Deutschkurs', 'language_course', '05978028',"
                    " 0.8, :reasons, 'pending', 0, :at, :at)"
                ),
                {"reasons": json.dumps(["Im Wohnort Schwerte"]), "at": created},
            )
        await upgrade(engine, MIGRATIONS)
        async with engine.connect() as conn:
            row = (await conn.execute(select(orm.deliveries))).one()
        delivery = delivery_from(row)
        assert [(r.de, r.en) for r in delivery.reasons] == [("Im Wohnort Schwerte",) * 2]
        assert (row.group_key, row.status) == ("UNN-ABCDEF", "pending")
        assert row.due_at.replace(tzinfo=UTC) == created
        assert delivery.offer.title == "Deutschkurs" and delivery.offer.provider_id is None
    finally:
        await engine.dispose()
