"""The inbox: which events a consumer has already applied.

A consumer records the event id in the same transaction as its writes, so a
redelivered event is recognised and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_shared.database import chunks, is_postgres

__all__ = ["first_deliveries", "inbox_table"]


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(100), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )


async def first_deliveries(
    session: AsyncSession, inbox: Table, consumer: str, event_ids: Sequence[str]
) -> set[str]:
    """Record ``event_ids`` for ``consumer``; the ones not recorded before, in one statement per chunk."""
    now = datetime.now(UTC)
    dialect = postgresql if is_postgres(session) else sqlite
    fresh: set[str] = set()
    for some in chunks(sorted(set(event_ids))):
        statement = (
            dialect.insert(inbox)
            .values([{"consumer": consumer, "event_id": e, "received_at": now} for e in some])
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        fresh.update(await session.scalars(statement))
    return fresh
