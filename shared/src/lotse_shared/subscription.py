"""A consuming service's faststream broker, and its subscriptions with Lotse's delivery guarantees."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from lotse_shared.consumer import EventConsumer
from lotse_shared.metrics import CONSUMER_LAG
from lotse_shared.settings import CommonSettings

__all__ = ["service_broker", "subscribe"]


def service_broker(settings: CommonSettings, service: str, description: str) -> KafkaBroker:
    """The faststream broker a consuming service subscribes on; ``description`` feeds AsyncAPI."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"lotse-{service}",
        logger=logging.getLogger("lotse.kafka"),
        log_level=logging.DEBUG,  # one line per message only when debugging
        description=description,
    )


def subscribe(
    broker: KafkaBroker,
    *topics: str,
    group_id: str,
    consumer: Callable[[], EventConsumer],
    description: str,
    batch: int = 1,
    batch_wait_ms: int = 5,
) -> None:
    """Subscribe ``consumer`` to ``topics`` with Lotse's delivery guarantees.

    The offset is committed only after :meth:`EventConsumer.process` returned,
    that is after the handler's transaction committed or the record was
    dead-lettered (faststream's default for Kafka would commit first). A new
    consumer group reads compacted topics from the beginning.

    With ``batch`` > 1 the consumer takes up to that many ready records at a
    time. A batch is never awaited: what is there is taken at once. When
    nothing is there, faststream waits up to ``batch_wait_ms`` for a record,
    taking one the moment it arrives, and then sleeps as long, deaf meanwhile.
    So an idle consumer adds at most ``batch_wait_ms`` to a new record's delay
    and polls about ``500 / batch_wait_ms`` times a second.
    """

    options: dict[str, Any] = {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "decoder": _undecoded,
        "description": description,
    }
    subscriber: Callable[[Callable[[KafkaMessage], Awaitable[None]]], object] = (
        broker.subscriber(
            *topics, batch=True, max_records=batch, batch_timeout_ms=batch_wait_ms, **options
        )
        if batch > 1
        else broker.subscriber(*topics, **options)
    )

    @subscriber
    async def on_records(message: KafkaMessage) -> None:
        raw = message.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        await consumer().process(records)
        last = {(r.topic, r.partition): r.offset for r in records}  # in offset order
        for (topic, partition), offset in last.items():
            _record_lag(message, topic, partition, offset)


async def _undecoded(message: StreamMessage[Any]) -> bytes:
    """The body as it came.

    faststream would parse a JSON body before the handler runs, and a body
    that is not JSON would then fail outside :meth:`EventConsumer.process`:
    nacked and redelivered for ever instead of dead-lettered.
    """
    return message.body


def _record_lag(message: KafkaMessage, topic: str, partition: int, offset: int) -> None:
    """How far behind the partition's end the consumer is, after the record at ``offset``."""
    highwater = getattr(message.consumer, "highwater", None)
    end = highwater(TopicPartition(topic, partition)) if callable(highwater) else None
    if end is not None:
        CONSUMER_LAG.labels(topic, str(partition)).set(max(end - offset - 1, 0))
