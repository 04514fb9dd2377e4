"""Migration 0003 keeps the deliveries there are; an erasure still finds them by their match."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from lotse_notifications.adapters import orm
from lotse_notifications.bootstrap import bootstrap
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.entrypoints.subscribers import apply_consumed
from lotse_shared.envelope import Tombstone
from lotse_shared.migrations import upgrade
from services.notifications.tests.conftest import SECRET
from services.notifications.tests.support import deliver, ended, match

MIGRATIONS = str(resources.files("lotse_notifications") / "migrations")


async def test_a_delivery_from_before_the_migration_is_erased_with_its_need(
    database_url: str, smtp_server: tuple[int, Any]
) -> None:
    engine = create_async_engine(database_url)
    at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    found, other = match(), match()
    try:
        await upgrade(engine, MIGRATIONS, "0002")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO deliveries (id, advisor_id, match_id, kind, need_reference,"
                    " offer_title, offer_category, offer_municipality, score, reasons,"
                    " offer_facts, status, attempts, group_key, due_at, next_attempt_at,"
                    " created_at, sent_at) VALUES (:id, 'adv-1', :match, 'match_found',"
                    " :reference, 'Deutschkurs', 'language_course', '05978028', 0.8, :reasons,"
                    " '{}', 'sent', 0, :reference, :at, :at, :at, :at)"
                ),
                [
                    {
                        "id": f"d-{n}",
                        "match": m.match_id,
                        "reference": m.need_reference,
                        "reasons": json.dumps([{"de": "Im Wohnort Schwerte", "en": "In Schwerte"}]),
                        "at": at,
                    }
                    for n, m in enumerate((found, other))
                ],
            )
        await upgrade(engine, MIGRATIONS)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(orm.deliveries))).all()
            assert (await conn.execute(select(orm.erased_needs))).all() == []
        assert {(r.need_id, r.need_reference, r.status) for r in rows} == {
            (None, found.need_reference, "sent")
        }

        port, _ = smtp_server
        notifications = bootstrap(
            NotificationsSettings(
                NOTIFICATIONS_DATABASE_URL=database_url,
                SMTP_PORT=port,
                MAIL_FROM="Lotse <lotse@ki-unna.example>",
                LOTSE_JWT_SECRET=SECRET,
            )
        )
        try:
            await apply_consumed(
                notifications, [Tombstone("lotse.needs", found.need_id)]
            )  # finds neither: no need id
            for m in (found, other):  # matching's word for each match finds them
                await deliver(notifications, ended(m, "erased"))
        finally:
            await notifications.mailer.close()  # type: ignore[attr-defined]
            await notifications.runtime.engine.dispose()
        async with engine.connect() as conn:
            rows = (await conn.execute(select(orm.deliveries))).all()
        assert [(r.need_reference, r.reasons, r.status) for r in rows] == [(None, [], "sent")] * 2
    finally:
        await engine.dispose()
