"""Lotse's failure policy for one consumed Kafka message.

- An invalid message (bad JSON, unknown type, failing validation) goes to
  ``<topic>.dlq`` with its origin and the error in headers; then it counts as
  processed and the consumer moves on.
- Any other failure is treated as transient (database or broker away): the
  handler is retried with exponential backoff, never skipped. The offset is
  committed only after the handler returned, so a crash redelivers.

A consumer with a batch handler takes what the broker has ready, up to a
limit, and hands it over in one call (one transaction for a database
consumer). When the batch handler finds an event it can never apply, the
batch's records are handled again one at a time, so that only that one goes
to the dead-letter topic.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from lotse_shared.envelope import Envelope, Tombstone, decode, header_map
from lotse_shared.errors import InvalidMessage
from lotse_shared.metrics import CONSUMER_LAG, EVENTS_CONSUMED, HANDLER_SECONDS
from lotse_shared.observability import handling
from lotse_shared.settings import CommonSettings

__all__ = [
    "ConsumedRecord",
    "EventConsumer",
    "batch_consumer",
    "in_time_order",
    "service_broker",
    "subscribe",
]

log = logging.getLogger(__name__)

EventHandler = Callable[[Envelope], Awaitable[None]]
TombstoneHandler = Callable[[str, str], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope | Tombstone]], Awaitable[None]]


class ConsumedRecord(Protocol):
    """The parts of a consumed Kafka record the policy needs (aiokafka's ConsumerRecord)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Any
    timestamp: int  # milliseconds; the producer's clock unless the topic says otherwise


class EventConsumer:
    """Decodes a record, runs the handler, and applies the failure policy."""

    def __init__(
        self,
        group_id: str,
        producer: AIOKafkaProducer,
        handle: EventHandler,
        *,
        on_tombstone: TombstoneHandler | None = None,
        handle_batch: BatchHandler | None = None,
        only_tombstones_of: Collection[str] = (),
        max_backoff: float = 5.0,
    ) -> None:
        """``only_tombstones_of``: topics this consumer reads for erasures alone; their other
        records are passed by unread, so what another consumer of the topic must refuse
        (and dead-letter) is not refused here a second time."""
        self.group_id = group_id
        self.only_tombstones_of = frozenset(only_tombstones_of)
        self.producer = producer
        self.handle = handle
        self.on_tombstone = on_tombstone
        self.handle_batch = handle_batch
        self.max_backoff = max_backoff

    async def process_batch(self, records: Sequence[ConsumedRecord]) -> None:
        """Return only once every record is handled or dead-lettered; together when possible."""
        batch_handler = self.handle_batch
        if batch_handler is None or len(records) == 1:
            for record in records:
                await self.process(record)
            return
        started = time.perf_counter()
        taken: list[tuple[ConsumedRecord, Envelope | Tombstone]] = []
        outcomes: list[tuple[ConsumedRecord, str]] = []
        for record in in_time_order(records):
            if record.value is None:
                key = record.key.decode() if record.key is not None else ""
                taken.append((record, Tombstone(record.topic, key)))
                continue
            if record.topic in self.only_tombstones_of:
                outcomes.append((record, "ignored"))
                continue
            try:
                taken.append((record, decode(list(record.headers or ()), record.value)))
            except InvalidMessage as error:
                await self.dead_letter(record, error)
                outcomes.append((record, "dead_lettered"))
        items = [item for _, item in taken]
        try:
            if items:
                with handling(records[0].topic, None, None, records[0].offset):
                    await self._with_retries(lambda: batch_handler(items), records[0])
        except InvalidMessage as error:
            log.warning(
                "%d events could not be applied together (%s); one at a time", len(items), error
            )
            for record, _ in taken:
                await self.process(record)
            return
        outcomes += [
            (record, "tombstone" if isinstance(item, Tombstone) else "processed")
            for record, item in taken
        ]
        share = (time.perf_counter() - started) / len(records)
        for record, outcome in outcomes:
            HANDLER_SECONDS.labels(record.topic).observe(share)
            event_type = header_map(list(record.headers or ())).get("ce_type", "")
            EVENTS_CONSUMED.labels(record.topic, event_type, outcome).inc()

    async def process(self, record: ConsumedRecord) -> None:
        """Return only once the record is handled or dead-lettered."""
        headers = header_map(list(record.headers or ()))
        started = time.perf_counter()
        with handling(
            record.topic, headers.get("ce_id"), headers.get("ce_traceparent"), record.offset
        ):
            outcome = await self._process(record)
        HANDLER_SECONDS.labels(record.topic).observe(time.perf_counter() - started)
        EVENTS_CONSUMED.labels(record.topic, headers.get("ce_type", ""), outcome).inc()

    async def _process(self, record: ConsumedRecord) -> str:
        key = record.key.decode() if record.key is not None else ""
        if record.value is None:
            if self.on_tombstone is not None:
                tombstone_handler = self.on_tombstone
                try:
                    await self._with_retries(lambda: tombstone_handler(record.topic, key), record)
                except InvalidMessage as error:  # e.g. no key: nothing it could erase
                    await self.dead_letter(record, error)
                    return "dead_lettered"
            return "tombstone"
        if record.topic in self.only_tombstones_of:
            return "ignored"
        try:
            envelope = decode(list(record.headers or ()), record.value)
        except InvalidMessage as error:
            await self.dead_letter(record, error)
            return "dead_lettered"
        try:
            await self._with_retries(lambda: self.handle(envelope), record)
        except InvalidMessage as error:
            await self.dead_letter(record, error)
            return "dead_lettered"
        return "processed"

    async def _with_retries(
        self, attempt: Callable[[], Awaitable[None]], record: ConsumedRecord
    ) -> None:
        delay = 0.1
        while True:
            try:
                await attempt()
                return
            except InvalidMessage:
                raise
            except Exception:
                log.exception(
                    "handling %s[%d]@%d failed; retrying in %.1f s",
                    record.topic,
                    record.partition,
                    record.offset,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    async def dead_letter(self, record: ConsumedRecord, error: Exception) -> None:
        """Park ``record`` in ``<topic>.dlq`` with where it came from and why."""
        log.warning(
            "dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, error
        )
        headers = [
            *list(record.headers or ()),
            ("lotse_dlq_topic", record.topic.encode()),
            ("lotse_dlq_partition", str(record.partition).encode()),
            ("lotse_dlq_offset", str(record.offset).encode()),
            ("lotse_dlq_group", self.group_id.encode()),
            ("lotse_dlq_error", str(error)[:1000].encode()),
        ]
        sent = await self.producer.send(
            f"{record.topic}.dlq", key=record.key, value=record.value, headers=headers
        )
        await sent


def in_time_order(records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
    """The records merged by their timestamps across partitions, each partition's in its order.

    A poll returns one partition's records after another's; applied in that
    order, an offer published after a need could be applied before it. One
    record at a time, a consumer would mostly have seen them as they came.
    """
    partitions: dict[tuple[str, int], list[ConsumedRecord]] = {}
    for record in records:
        partitions.setdefault((record.topic, record.partition), []).append(record)
    if len(partitions) == 1:
        return list(records)
    return list(heapq.merge(*partitions.values(), key=lambda r: r.timestamp))


def batch_consumer(
    group_id: str,
    producer: AIOKafkaProducer,
    apply: BatchHandler,
    *,
    only_tombstones_of: Collection[str] = (),
) -> EventConsumer:
    """A consumer whose every record goes through ``apply``: an event or a tombstone handled
    on its own is a batch of one."""

    async def handle(envelope: Envelope) -> None:
        await apply([envelope])

    async def erase(topic: str, key: str) -> None:
        await apply([Tombstone(topic, key)])

    return EventConsumer(
        group_id,
        producer,
        handle,
        on_tombstone=erase,
        handle_batch=apply,
        only_tombstones_of=only_tombstones_of,
    )


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

    The offset is committed only after :meth:`EventConsumer.process_batch` returned,
    that is after the handler's transaction committed or the record was
    dead-lettered (faststream's default for Kafka would commit first). A new
    consumer group reads compacted topics from the beginning.

    With ``batch`` > 1 the consumer takes up to that many ready records at a
    time (:meth:`EventConsumer.process_batch`). A batch is never awaited: what
    is there is taken at once. When nothing is there, faststream looks again
    after ``batch_wait_ms`` and sleeps as long, which bounds the delay an
    idle consumer adds to a new record.
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
        await consumer().process_batch(records)
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
