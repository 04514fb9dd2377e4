"""What the stream benchmark asks of Kafka: producing as fast as it can, where the topics end,
whether a consumer group has committed up to there, and the pace of a raw consumer group."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from lotse_shared.contracts import OFFERS
from lotse_shared.envelope import KafkaRecord
from lotse_shared.kafka import new_producer

__all__ = ["committed_all", "end_offsets", "produce", "raw_group_consume", "until_committed"]


async def produce(bootstrap: str, records: list[KafkaRecord], prefix: str = "") -> float:
    """Seconds to send ``records`` to their topics (``prefix`` before each) as fast as a raw
    producer can, each acknowledged."""
    producer = new_producer(bootstrap, client_id="bench-stream")
    await producer.start()
    try:
        started = time.perf_counter()
        sends = [
            await producer.send(prefix + r.topic, key=r.key, value=r.value, headers=r.headers)
            for r in records
        ]
        await asyncio.gather(*sends)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def committed_all(bootstrap: str, group: str, ends: dict[TopicPartition, int]) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return all(
        offsets.get(tp) is not None and offsets[tp].offset >= end for tp, end in ends.items()
    )


async def end_offsets(bootstrap: str, topics: list[str]) -> dict[TopicPartition, int]:
    """The end of each partition of ``topics`` that holds anything."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in range(OFFERS.partitions)]
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end}
    finally:
        await consumer.stop()


async def until_committed(bootstrap: str, group: str, ends: dict[TopicPartition, int]) -> None:
    """Return once ``group`` has committed every partition up to its offset in ``ends``."""
    while not await committed_all(bootstrap, group, ends):  # noqa: ASYNC110 (polls Kafka)
        await asyncio.sleep(0.1)


async def raw_group_consume(
    bootstrap: str, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
) -> float:
    """Seconds for a raw consumer committing to a group of its own to read and commit the
    records from ``starts`` (0 where missing) to ``ends``."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        consumer.assign(list(ends))
        for tp in ends:
            consumer.seek(tp, starts.get(tp, 0))
        count = sum(end - starts.get(tp, 0) for tp, end in ends.items())
        started, seen = time.perf_counter(), 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000)
            seen += sum(len(b) for b in batches.values())
            if batches:
                await consumer.commit()
        return time.perf_counter() - started
    finally:
        await consumer.stop()
