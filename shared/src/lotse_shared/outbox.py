"""The transactional outbox.

A service writes its entity and the event about it in one database
transaction (:meth:`Outbox.add`); :class:`OutboxRelay` publishes committed rows
to Kafka in commit order and deletes them once Kafka acknowledged them. A
crash between acknowledgement and deletion publishes the same events again
with the same CloudEvents ids, which consumers drop as duplicates: nothing
committed is lost, and one entity's events never overtake each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from lotse_shared.database import is_postgres
from lotse_shared.envelope import KafkaRecord
from lotse_shared.metrics import EVENTS_PRODUCED

__all__ = [
    "Outbox",
    "OutboxRelay",
    "drop_notify_on_insert",
    "notify_on_insert",
    "outbox_channel",
    "outbox_table",
]

log = logging.getLogger(__name__)

# Any constant works, as long as every instance of one service agrees on it.
_RELAY_LOCK_KEY = 0x4C4F5453


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("value", Text, nullable=True),
        Column("headers", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


def outbox_channel(service: str) -> str:
    """The PostgreSQL channel on which a commit with outbox rows of ``service`` is announced."""
    return f"lotse_outbox_{service}"


def notify_on_insert(table: str, channel: str) -> list[str]:
    """PostgreSQL DDL: every insert into ``table`` sends a NOTIFY on ``channel``.

    PostgreSQL delivers it at commit (and drops it on rollback), once per
    transaction however many rows it added (identical notifications fold into
    one), which wakes the relays of every instance without polling. Done by
    the database, it costs the writer no statement of its own. Each service's
    migrations create it; SQLite has no relay to wake in another process.
    """
    function, trigger = f"{table}_notify_{channel}", f"{table}_notify"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{channel}', ''); RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
        f"CREATE TRIGGER {trigger} AFTER INSERT ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def drop_notify_on_insert(table: str, channel: str) -> list[str]:
    """What :func:`notify_on_insert` made, dropped again."""
    return [
        f"DROP TRIGGER IF EXISTS {table}_notify ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_notify_{channel}()",
    ]


class Outbox:
    """Adds records to the outbox inside the caller's transaction.

    ``source`` is the CloudEvents source of the events the service writes. On
    PostgreSQL the table's trigger (:func:`notify_on_insert`) announces the
    commit to the relays.
    """

    def __init__(self, table: Table, *, source: str) -> None:
        self.table = table
        self.source = source

    async def add(self, session: AsyncSession, records: Sequence[KafkaRecord]) -> None:
        """Queue ``records`` in this order, in one statement; they are published only if the
        session's transaction commits."""
        if not records:
            return
        now = datetime.now(UTC)
        await session.execute(
            insert(self.table),
            [
                {
                    "topic": record.topic,
                    "key": record.key.decode(),
                    "value": record.value.decode() if record.value is not None else None,
                    "headers": [[name, value.decode()] for name, value in record.headers],
                    "created_at": now,
                }
                for record in records
            ],
        )

    async def discard(self, session: AsyncSession, topic: str, key: str) -> None:
        """Drop the rows under ``key`` on ``topic`` not yet published, in the caller's transaction.

        For an erasure: what was never sent about an erased entity need not be.
        Rows a relay is sending right now still go out, before what follows.
        """
        t = self.table.c
        await session.execute(delete(self.table).where(t.topic == topic, t.key == key))


class OutboxRelay:
    """Publishes committed outbox rows to Kafka, oldest first.

    Only one relay of a service publishes at a time (a PostgreSQL advisory
    lock; SQLite has a single writer anyway), so running several instances
    never reorders one entity's events.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_interval: float = 0.25,
        max_backoff: float = 5.0,
        topic_prefix: str = "",
    ) -> None:
        self.engine = engine
        self.topic_prefix = topic_prefix
        self.table = table
        self.producer = producer
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.max_backoff = max_backoff
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """Tell the relay that a transaction with outbox rows just committed."""
        self._wakeup.set()

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self.engine.begin() as conn:
            if is_postgres(conn):
                locked = await conn.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _RELAY_LOCK_KEY}
                )
                if not locked:
                    return 0
            rows = (
                await conn.execute(
                    select(self.table).order_by(self.table.c.id).limit(self.batch_size)
                )
            ).all()
            if not rows:
                return 0
            sends = [
                await self.producer.send(
                    self.topic_prefix + row.topic,
                    key=row.key.encode(),
                    value=row.value.encode() if row.value is not None else None,
                    headers=[(name, value.encode()) for name, value in row.headers],
                )
                for row in rows
            ]
            await asyncio.gather(*sends)
            published = Counter((row.topic, dict(row.headers).get("ce_type", "")) for row in rows)
            for (topic, event_type), count in published.items():
                EVENTS_PRODUCED.labels(self.topic_prefix + topic, event_type).inc(count)
            # Exactly these ids: on PostgreSQL a smaller id may still commit later.
            await conn.execute(delete(self.table).where(self.table.c.id.in_([r.id for r in rows])))
            return len(rows)

    async def run(self) -> None:
        """Publish until cancelled; wakes on :meth:`wake` or every ``idle_interval``."""
        backoff = 0.1
        while True:
            self._wakeup.clear()
            try:
                published = await self.publish_pending()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying in %.1f s", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if published < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.idle_interval)
