"""The outbox publishes exactly what was committed, in order, and survives a crashing relay."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from lotse_shared.contracts import OfferPublished
from lotse_shared.database import create_engine
from lotse_shared.envelope import encode
from lotse_shared.kafka import new_producer
from lotse_shared.outbox import Outbox, OutboxRelay, notify_on_insert, outbox_table

pytestmark = pytest.mark.kafka

metadata = MetaData()
table = outbox_table(metadata)


def offer(offer_id: str, version: int) -> OfferPublished:
    return OfferPublished.model_validate(
        {
            "offer_id": offer_id,
            "provider_id": "vhs-schwerte",
            "title": {"de": f"Kurs {offer_id} v{version}"},
            "description": {"de": "Kurs"},
            "category": "language_course",
            "location": {"municipality": "05978028"},
            "contact_email": "kurse@vhs.example",
            "status": "published",
            "version": version,
            "updated_at": datetime.now(UTC),
        }
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def queue(
    engine: AsyncEngine, topic: str, events: list[OfferPublished], *, commit: bool
) -> None:
    outbox = Outbox(table, source="/lotse/test")
    async with async_sessionmaker(engine)() as session:
        for event in events:
            await outbox.add(
                session, [dataclasses.replace(encode(event, source="/lotse/test"), topic=topic)]
            )
        if commit:
            await session.commit()
        else:
            await session.rollback()


async def read(bootstrap: str, topic: str, count: int, timeout: float = 15.0) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for messages in batch.values():
                    records.extend(messages)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return records


async def pending(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_committed_events_are_published_and_rolled_back_ones_never(
    engine: AsyncEngine, kafka_bootstrap: str, unique_topic: str
) -> None:
    await queue(engine, unique_topic, [offer("a", 1), offer("b", 1)], commit=True)
    await queue(engine, unique_topic, [offer("ghost", 1)], commit=False)
    producer = new_producer(kafka_bootstrap, client_id="test")
    await producer.start()
    try:
        assert await OutboxRelay(engine, table, producer).publish_pending() == 2
    finally:
        await producer.stop()

    records = await read(kafka_bootstrap, unique_topic, 3, timeout=3)
    assert sorted(r.key for r in records) == [b"a", b"b"]
    headers = dict(records[0].headers)
    assert headers["ce_type"] == b"lotse.offer.published.v1"
    assert headers["content-type"] == b"application/json"
    assert await pending(engine) == 0


class CrashingProducer:
    """Passes sends through until ``crash_after`` of them, then fails like a dying process."""

    def __init__(self, inner: Any, crash_after: int) -> None:
        self.inner = inner
        self.left = crash_after

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        if self.left == 0:
            raise ConnectionError("relay died")
        self.left -= 1
        return await self.inner.send(*args, **kwargs)


async def test_a_relay_crashing_mid_batch_loses_nothing_and_keeps_each_offers_order(
    engine: AsyncEngine, kafka_bootstrap: str, unique_topic: str
) -> None:
    events = [offer(f"o{i % 4}", version) for version in range(1, 11) for i in range(4)]
    await queue(engine, unique_topic, events, commit=True)
    producer = new_producer(kafka_bootstrap, client_id="test")
    await producer.start()
    try:
        crashing = OutboxRelay(
            engine, table, CrashingProducer(producer, crash_after=13), batch_size=25
        )  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            await crashing.publish_pending()
        assert await pending(engine) == len(events)
        relay = OutboxRelay(engine, table, producer, batch_size=25)
        while await relay.publish_pending():
            pass
    finally:
        await producer.stop()

    records = await read(kafka_bootstrap, unique_topic, len(events) + 13)
    seen: dict[str, set[str]] = defaultdict(set)
    versions: dict[bytes, list[int]] = defaultdict(list)
    for record in records:
        event_id = dict(record.headers)["ce_id"].decode()
        if event_id in seen[record.key]:
            continue  # a republished duplicate, dropped by id as every consumer does
        seen[record.key].add(event_id)
        versions[record.key].append(OfferPublished.model_validate_json(record.value).version)
    assert {k: v for k, v in versions.items()} == {
        f"o{i}".encode(): list(range(1, 11)) for i in range(4)
    }
    assert await pending(engine) == 0


async def test_two_relays_at_once_publish_every_row_once_and_in_order(
    database_url: str, kafka_bootstrap: str, unique_topic: str
) -> None:
    engines = [create_engine(database_url) for _ in range(2)]
    async with engines[0].begin() as conn:
        await conn.run_sync(metadata.create_all)
    events = [offer(f"o{i % 5}", version) for version in range(1, 41) for i in range(5)]
    await queue(engines[0], unique_topic, events, commit=True)
    producer = new_producer(kafka_bootstrap, client_id="test")
    await producer.start()

    async def drain(engine: AsyncEngine) -> None:
        relay = OutboxRelay(engine, table, producer, batch_size=7)
        for _ in range(200):
            if not await relay.publish_pending() and await pending(engine) == 0:
                return
            await asyncio.sleep(0)

    try:
        await asyncio.gather(*(drain(e) for e in engines))
    finally:
        await producer.stop()
        for engine in engines:
            await engine.dispose()

    records = await read(kafka_bootstrap, unique_topic, len(events) + 1, timeout=3)
    assert len(records) == len(events)
    versions: dict[bytes, list[int]] = defaultdict(list)
    for record in records:
        versions[record.key].append(OfferPublished.model_validate_json(record.value).version)
    assert all(v == list(range(1, 41)) for v in versions.values())


@pytest.mark.postgres
async def test_a_commit_on_postgresql_notifies_the_relays_and_a_rollback_does_not(
    postgres_url: str,
) -> None:
    import asyncpg

    database_url = postgres_url
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        for statement in notify_on_insert(table.name, "lotse_outbox_test"):
            await conn.execute(text(statement))
    outbox = Outbox(table, source="/lotse/test")
    listener = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener("lotse_outbox_test", lambda *args: heard.put_nowait(args[2]))
    try:
        async with async_sessionmaker(engine)() as session:
            await outbox.add(session, [encode(offer("a", 1), source="/lotse/test")])
            await asyncio.sleep(0.2)
            assert heard.empty()  # not before the commit
            await session.rollback()
        await asyncio.sleep(0.2)
        assert heard.empty()
        async with async_sessionmaker(engine)() as session:
            await outbox.add(session, [encode(offer("a", 1), source="/lotse/test")])
            await outbox.add(session, [encode(offer("b", 1), source="/lotse/test")])
            await session.commit()
        assert await asyncio.wait_for(heard.get(), 5) == "lotse_outbox_test"
        await asyncio.sleep(0.2)
        assert heard.empty()  # one notification per transaction, however many events
        async with async_sessionmaker(engine)() as session:
            await outbox.add(session, [encode(offer("c", 1), source="/lotse/test")])
            await session.commit()
        assert (
            await asyncio.wait_for(heard.get(), 5) == "lotse_outbox_test"
        )  # and again for the next one
    finally:
        await listener.close()
        await engine.dispose()
