"""The inbox: which events a consumer has already applied.

A consumer records the event id in the same transaction as its writes, so a
redelivered event is recognised and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_shared.database import insert_ignoring_duplicates

__all__ = ["first_delivery", "inbox_table"]


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(100), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )


async def first_delivery(session: AsyncSession, inbox: Table, consumer: str, event_id: str) -> bool:
    """Record ``event_id`` for ``consumer``; False when it was recorded before."""
    return await insert_ignoring_duplicates(
        session,
        inbox,
        {"consumer": consumer, "event_id": event_id, "received_at": datetime.now(UTC)},
    )
