"""The inbox: which events a consumer has already applied.

A consumer records the event id in the same transaction as its writes, so a
redelivered event is recognised and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, bindparam, func, select
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
    """Record ``event_ids`` for ``consumer``; the ones not recorded before, in one statement.

    On SQLite, one statement per chunk of ids.
    """
    now = datetime.now(UTC)
    ids = sorted(set(event_ids))
    if is_postgres(session):
        # All ids as one array parameter: a statement the same for every batch, compiled once,
        # where a VALUES list of the batch's length was compiled afresh each time.
        rows = select(
            bindparam("consumer", consumer, type_=inbox.c.consumer.type),
            func.unnest(bindparam("ids", ids, type_=postgresql.ARRAY(inbox.c.event_id.type))),
            bindparam("now", now, type_=inbox.c.received_at.type),
        )
        statement = (
            postgresql.insert(inbox)
            .from_select(["consumer", "event_id", "received_at"], rows)
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        return set(await session.scalars(statement))
    fresh: set[str] = set()
    for some in chunks(ids):
        statement = (
            sqlite.insert(inbox)
            .values([{"consumer": consumer, "event_id": e, "received_at": now} for e in some])
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        fresh.update(await session.scalars(statement))
    return fresh
