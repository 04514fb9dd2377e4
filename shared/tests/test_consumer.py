"""The consumer's failure policy, its trace continuation and its metrics, on records made by hand."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import REGISTRY

from lotse_shared.consumer import EventConsumer
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import Envelope, encode
from lotse_shared.observability import current_event_id, current_traceparent, trace_id_of

TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@dataclass
class Record:
    topic: str
    value: bytes | None
    headers: list[tuple[str, bytes]]
    key: bytes | None = b"k-1"
    partition: int = 0
    offset: int = 7


@dataclass
class Producer:
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, topic: str, **record: Any) -> asyncio.Future[None]:
        self.sent.append({"topic": topic, **record})
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


def consumed(topic: str, event_type: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "lotse_events_consumed_total", {"topic": topic, "type": event_type, "outcome": outcome}
    )
    return value or 0.0


def offer_record(topic: str, *extra: tuple[str, bytes]) -> Record:
    record = encode(EXAMPLES["lotse.offer.published.v1"], source="/test", extra_headers=extra)
    return Record(topic, record.value, record.headers)


async def test_a_handled_event_continues_the_trace_it_came_with_and_is_counted() -> None:
    seen: list[tuple[str | None, str | None, list[tuple[str, bytes]]]] = []

    async def handle(envelope: Envelope) -> None:
        written = encode(EXAMPLES["lotse.match.found.v1"], source="/test")
        seen.append((current_traceparent.get(), current_event_id.get(), written.headers))

    record = offer_record("t-handled", ("ce_traceparent", TRACE.encode()))
    before = consumed("t-handled", "lotse.offer.published.v1", "processed")
    await EventConsumer("g", Producer(), handle).process(record)  # type: ignore[arg-type]

    [(traceparent, event_id, written)] = seen
    assert trace_id_of(traceparent) == trace_id_of(TRACE), "the same trace"
    assert traceparent != TRACE, "a span of its own"
    assert event_id == dict(record.headers)["ce_id"].decode()
    assert trace_id_of(dict(written)["ce_traceparent"].decode()) == trace_id_of(TRACE)
    assert current_traceparent.get() is None, "nothing leaks past the record"
    assert consumed("t-handled", "lotse.offer.published.v1", "processed") == before + 1


async def test_an_event_without_a_trace_starts_one() -> None:
    traces: list[str | None] = []

    async def handle(envelope: Envelope) -> None:
        traces.append(trace_id_of(current_traceparent.get()))

    await EventConsumer("g", Producer(), handle).process(offer_record("t-new"))  # type: ignore[arg-type]
    assert traces[0] is not None


async def test_an_invalid_record_is_dead_lettered_with_its_origin_and_counted() -> None:
    producer = Producer()

    async def handle(envelope: Envelope) -> None:
        raise AssertionError("never called")

    record = Record(
        "t-bad", b"{not json", [("ce_id", b"e-1"), ("ce_type", b"lotse.offer.published.v1")]
    )
    before = consumed("t-bad", "lotse.offer.published.v1", "dead_lettered")
    await EventConsumer("group-a", producer, handle).process(record)  # type: ignore[arg-type]

    [parked] = producer.sent
    assert parked["topic"] == "t-bad.dlq"
    assert parked["value"] == b"{not json" and parked["key"] == b"k-1"
    headers = {k: v.decode() for k, v in parked["headers"]}
    assert headers["lotse_dlq_topic"] == "t-bad"
    assert (headers["lotse_dlq_partition"], headers["lotse_dlq_offset"]) == ("0", "7")
    assert headers["lotse_dlq_group"] == "group-a"
    assert "missing CloudEvents headers" in headers["lotse_dlq_error"]
    assert consumed("t-bad", "lotse.offer.published.v1", "dead_lettered") == before + 1


async def test_a_transient_failure_is_retried_until_it_succeeds_and_never_dead_lettered() -> None:
    producer, attempts = Producer(), []

    async def handle(envelope: Envelope) -> None:
        attempts.append(envelope.id)
        if len(attempts) < 3:
            raise ConnectionError("database away")

    consumer = EventConsumer("g", producer, handle, max_backoff=0.01)
    await consumer.process(offer_record("t-retry"))  # type: ignore[arg-type]
    assert len(attempts) == 3 and len(set(attempts)) == 1
    assert producer.sent == []


async def test_a_tombstone_goes_to_its_handler_with_topic_and_key() -> None:
    erased: list[tuple[str, str]] = []

    async def handle(envelope: Envelope) -> None:
        raise AssertionError("a tombstone is no event")

    async def erase(topic: str, key: str) -> None:
        erased.append((topic, key))

    consumer = EventConsumer("g", Producer(), handle, on_tombstone=erase)
    await consumer.process(Record("t-needs", None, [], key=b"need-9"))  # type: ignore[arg-type]
    assert erased == [("t-needs", "need-9")]
    assert consumed("t-needs", "", "tombstone") >= 1
