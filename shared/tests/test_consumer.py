"""The consumer's failure policy, its trace continuation and its metrics, on records made by hand."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import REGISTRY

from lotse_shared.consumer import EventConsumer, in_time_order
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import Envelope, Tombstone, encode
from lotse_shared.errors import InvalidMessage
from lotse_shared.observability import current_event_id, current_traceparent, trace_id_of
from shared.tests.kafka_fakes import Producer, Record

TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


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

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        written = encode(EXAMPLES["lotse.match.found.v1"], source="/test")
        seen.append((current_traceparent.get(), current_event_id.get(), written.headers))

    record = offer_record("t-handled", ("ce_traceparent", TRACE.encode()))
    before = consumed("t-handled", "lotse.offer.published.v1", "processed")
    await EventConsumer("g", Producer(), handle).process([record])  # type: ignore[arg-type, list-item]

    [(traceparent, event_id, written)] = seen
    assert trace_id_of(traceparent) == trace_id_of(TRACE), "the same trace"
    assert traceparent != TRACE, "a span of its own"
    assert event_id == dict(record.headers)["ce_id"].decode()
    assert trace_id_of(dict(written)["ce_traceparent"].decode()) == trace_id_of(TRACE)
    assert current_traceparent.get() is None, "nothing leaks past the record"
    assert consumed("t-handled", "lotse.offer.published.v1", "processed") == before + 1


async def test_an_event_without_a_trace_starts_one() -> None:
    traces: list[str | None] = []

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        traces.append(trace_id_of(current_traceparent.get()))

    await EventConsumer("g", Producer(), handle).process([offer_record("t-new")])  # type: ignore[arg-type, list-item]
    assert traces[0] is not None


async def test_an_invalid_record_is_dead_lettered_with_its_origin_and_counted() -> None:
    producer = Producer()
    record = Record(
        "t-bad", b"{not json", [("ce_id", b"e-1"), ("ce_type", b"lotse.offer.published.v1")]
    )
    before = consumed("t-bad", "lotse.offer.published.v1", "dead_lettered")
    await EventConsumer("group-a", producer, _unused).process([record])  # type: ignore[arg-type, list-item]

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

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        [envelope] = items
        assert isinstance(envelope, Envelope)
        attempts.append(envelope.id)
        if len(attempts) < 3:
            raise ConnectionError("database away")

    consumer = EventConsumer("g", producer, handle, max_backoff=0.01)  # type: ignore[arg-type]
    await consumer.process([offer_record("t-retry")])  # type: ignore[list-item]
    assert len(attempts) == 3 and len(set(attempts)) == 1
    assert producer.sent == []


async def test_a_tombstone_goes_to_the_handler_as_a_batch_of_one_with_topic_and_key() -> None:
    calls: list[list[Envelope | Tombstone]] = []

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        calls.append(list(items))

    consumer = EventConsumer("g", Producer(), handle)  # type: ignore[arg-type]
    await consumer.process([Record("t-needs", None, [], key=b"need-9")])  # type: ignore[list-item]
    assert calls == [[Tombstone("t-needs", "need-9")]]
    assert consumed("t-needs", "", "tombstone") >= 1


async def test_a_topic_read_only_for_erasures_passes_its_other_records_by_unread() -> None:
    batches: list[list[Envelope | Tombstone]] = []

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        batches.append(list(items))

    producer = Producer()
    consumer = EventConsumer("g", producer, handle, only_tombstones_of=["t-needs-only"])  # type: ignore[arg-type]
    poison = Record("t-needs-only", b"{not json", [("ce_type", b"x")], offset=1)
    await consumer.process([poison])  # type: ignore[list-item]
    await consumer.process([poison, Record("t-needs-only", b"[]", [], offset=2)])  # type: ignore[list-item]
    assert producer.sent == [] and batches == []  # nothing refused, nothing handled
    await consumer.process(
        [poison, Record("t-needs-only", None, [], key=b"need-1", offset=3)]  # type: ignore[list-item]
    )
    assert batches == [[Tombstone("t-needs-only", "need-1")]]
    assert consumed("t-needs-only", "x", "ignored") >= 2
    elsewhere = Record("t-other", b"{not json", [("ce_type", b"x")])
    await consumer.process([elsewhere])  # type: ignore[list-item]
    assert [p["topic"] for p in producer.sent] == ["t-other.dlq"]


def batch_of(topic: str, count: int) -> list[Record]:
    records = [offer_record(topic) for _ in range(count)]
    for offset, record in enumerate(records):
        record.offset = offset
    return records


async def test_a_batch_is_handed_over_in_one_call_in_order_with_tombstones_and_counted() -> None:
    calls: list[list[Envelope | Tombstone]] = []

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        calls.append(list(items))

    records = batch_of("t-batch", 3)
    records.insert(1, Record("t-batch", None, [], key=b"gone", offset=9))
    before = consumed("t-batch", "lotse.offer.published.v1", "processed")
    consumer = EventConsumer("g", Producer(), handle)  # type: ignore[arg-type]
    await consumer.process(records)  # type: ignore[arg-type]

    [items] = calls
    assert items[1] == Tombstone("t-batch", "gone")
    ids = [item.id for item in items if isinstance(item, Envelope)]
    assert ids == [dict(r.headers)["ce_id"].decode() for r in records if r.value is not None]
    assert consumed("t-batch", "lotse.offer.published.v1", "processed") == before + 3


async def test_an_undecodable_record_in_a_batch_is_dead_lettered_and_the_rest_handled_together() -> (
    None
):
    calls: list[int] = []

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        calls.append(len(items))

    records = batch_of("t-batch-bad", 3)
    records[1] = Record("t-batch-bad", b"{not json", records[1].headers, offset=1)
    producer = Producer()
    consumer = EventConsumer("g", producer, handle)  # type: ignore[arg-type]
    await consumer.process(records)  # type: ignore[arg-type]

    assert calls == [2]
    [parked] = producer.sent
    assert parked["topic"] == "t-batch-bad.dlq"
    assert dict(parked["headers"])["lotse_dlq_offset"] == b"1"


async def test_a_batch_with_an_event_that_can_never_apply_is_handled_again_one_at_a_time() -> None:
    calls: list[int] = []
    handled: list[str] = []
    poison = "t-batch-poison"

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        calls.append(len(items))
        ids = [item.id for item in items if isinstance(item, Envelope)]
        if poison_id in ids:
            raise InvalidMessage("one of these is not for us")
        handled.extend(ids)

    records = batch_of(poison, 3)
    poison_id = dict(records[2].headers)["ce_id"].decode()
    producer = Producer()
    consumer = EventConsumer("g", producer, handle)  # type: ignore[arg-type]
    await consumer.process(records)  # type: ignore[arg-type]

    assert calls == [3, 1, 1, 1]
    assert handled == [dict(r.headers)["ce_id"].decode() for r in records[:2]]
    assert [dict(s["headers"])["lotse_dlq_offset"] for s in producer.sent] == [b"2"]


async def test_a_batch_that_fails_for_a_passing_reason_is_retried_whole() -> None:
    attempts: list[int] = []

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        attempts.append(len(items))
        if len(attempts) < 3:
            raise ConnectionError("database away")

    consumer = EventConsumer("g", Producer(), handle, max_backoff=0.01)  # type: ignore[arg-type]
    await consumer.process(batch_of("t-batch-retry", 4))  # type: ignore[arg-type]
    assert attempts == [4, 4, 4]


async def _unused(items: Sequence[Envelope | Tombstone]) -> None:
    raise AssertionError("never called")


def test_a_batch_is_ordered_by_time_across_partitions_and_kept_in_order_within_each() -> None:
    def at(partition: int, offset: int, timestamp: int) -> Record:
        return Record("t", b"{}", [], partition=partition, offset=offset, timestamp=timestamp)

    polled = [at(0, 0, 10), at(0, 1, 30), at(0, 2, 25), at(1, 0, 5), at(1, 1, 20)]
    merged = [(r.partition, r.offset) for r in in_time_order(polled)]  # type: ignore[arg-type]
    assert merged == [(1, 0), (0, 0), (1, 1), (0, 1), (0, 2)]
