"""Lotse's failure policy for consumed Kafka records.

- An invalid message (bad JSON, unknown type, failing validation) goes to
  ``<topic>.dlq`` with its origin and the error in headers; then it counts as
  processed and the consumer moves on.
- Any other failure is treated as transient (database or broker away): the
  handler is retried with exponential backoff, never skipped. The offset is
  committed only after the handler returned, so a crash redelivers.

A consumer has one handler, which takes what the broker has ready, up to a
limit, in one call (one transaction for a database consumer); a tombstone or
a single record is a batch of one. When the handler finds an event it can
never apply, the batch's records are handled again one at a time, so that
only that one goes to the dead-letter topic.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

from lotse_shared.envelope import Envelope, Tombstone, decode, header_map
from lotse_shared.errors import InvalidMessage
from lotse_shared.metrics import EVENTS_CONSUMED, HANDLER_SECONDS
from lotse_shared.observability import handling

__all__ = ["BatchHandler", "ConsumedRecord", "EventConsumer", "in_time_order"]

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Envelope | Tombstone]], Awaitable[None]]
"""Applies events and tombstones in their order, all or none; raises
:class:`InvalidMessage`, having changed nothing, when one can never apply."""


class ConsumedRecord(Protocol):
    """The parts of a consumed Kafka record the policy needs (aiokafka's ConsumerRecord)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Any
    timestamp: int  # milliseconds; the producer's clock unless the topic says otherwise


_Taken = tuple[ConsumedRecord, Envelope | Tombstone]
_Outcome = tuple[ConsumedRecord, str]


class EventConsumer:
    """Decodes records, hands them to the handler together, and applies the failure policy."""

    def __init__(
        self,
        group_id: str,
        producer: AIOKafkaProducer,
        handle: BatchHandler,
        *,
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
        self.max_backoff = max_backoff

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        """Return only once every record is handled or dead-lettered; together when possible."""
        if not records:
            return
        started = time.perf_counter()
        with _handling(records):
            taken, outcomes = await self._decode(in_time_order(records))
            together = await self._apply(taken)
        _count([*outcomes, *(together or [])], (time.perf_counter() - started) / len(records))
        if together is None:
            for record, _ in taken:
                await self.process([record])

    async def _decode(
        self, records: Sequence[ConsumedRecord]
    ) -> tuple[list[_Taken], list[_Outcome]]:
        """What the handler is to take, and the outcomes of the records it is not."""
        taken: list[_Taken] = []
        outcomes: list[_Outcome] = []
        for record in records:
            if record.value is None:
                key = record.key.decode() if record.key is not None else ""
                taken.append((record, Tombstone(record.topic, key)))
            elif record.topic in self.only_tombstones_of:
                outcomes.append((record, "ignored"))
            else:
                try:
                    taken.append((record, decode(list(record.headers or ()), record.value)))
                except InvalidMessage as error:
                    await self.dead_letter(record, error)
                    outcomes.append((record, "dead_lettered"))
        return taken, outcomes

    async def _apply(self, taken: list[_Taken]) -> list[_Outcome] | None:
        """The outcomes of handing ``taken`` over in one call; None when they must go one at a time."""
        if not taken:
            return []
        items = [item for _, item in taken]
        try:
            await self._with_retries(lambda: self.handle(items), taken[0][0])
        except InvalidMessage as error:
            if len(taken) > 1:
                log.warning(
                    "%d events could not be applied together (%s); one at a time", len(taken), error
                )
                return None
            [(record, _)] = taken  # e.g. a tombstone without a key: nothing it could erase
            await self.dead_letter(record, error)
            return [(record, "dead_lettered")]
        return [
            (record, "tombstone" if isinstance(item, Tombstone) else "processed")
            for record, item in taken
        ]

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


def _handling(records: Sequence[ConsumedRecord]) -> AbstractContextManager[None]:
    """The span the records are handled in: a single record's continues its event's trace."""
    first = records[0]
    headers = header_map(list(first.headers or ())) if len(records) == 1 else {}
    return handling(first.topic, headers.get("ce_id"), headers.get("ce_traceparent"), first.offset)


def _count(outcomes: Sequence[_Outcome], seconds_each: float) -> None:
    for record, outcome in outcomes:
        HANDLER_SECONDS.labels(record.topic).observe(seconds_each)
        event_type = header_map(list(record.headers or ())).get("ce_type", "")
        EVENTS_CONSUMED.labels(record.topic, event_type, outcome).inc()
