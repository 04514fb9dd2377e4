"""Kafka itself and the outbox relay on it: raw aiokafka produce and consume next to the relay.

    python -m bench.kafka_relay [--events 20000] [--samples 300] [--quick]

A Kafka broker (deploy/kafka/launch.py) and a PostgreSQL cluster (fsync on)
of its own, then, with events the size of an ``offer.published``:

- raw produce: aiokafka with ``acks=all`` and idempotence, as the relay's
  producer, in batches of the relay's size, each batch's acknowledgements
  awaited before the next — the relay's pattern without the database, and
  its baseline;
- raw consume: the same events read back by a plain consumer;
- relay drain: as many committed outbox rows, published by
  ``OutboxRelay.publish_pending`` until none is left (read, send, await the
  acknowledgements, delete, commit — batch after batch);
- commit → ack: single events, each committed in a transaction of its own
  with the NOTIFY that wakes the relay (as in a service), from the commit's
  return to Kafka's acknowledgement of that event; the baseline is a raw
  ``send_and_wait`` of one event.

DESIGN.md's targets: relay drain ≥ 10,000 events/s; commit → ack p50 ≤ 10 ms.
Writes var/bench/kafka_relay.json.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bench.latency import spread
from bench.report import render_rows
from bench.servers import Kafka, Postgres, on_kafka_and_postgres
from lotse_shared.contracts import OFFERS
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.database import create_engine
from lotse_shared.envelope import KafkaRecord, encode
from lotse_shared.kafka import new_producer
from lotse_shared.outbox import Outbox, OutboxRelay, notify_on_insert, outbox_table

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"drain_events_s": 10_000.0, "commit_ack_p50_ms": 10.0}
CHANNEL = "lotse_outbox_bench"
BATCH = 500  # OutboxRelay's default batch_size


def records(count: int, start: int = 0) -> list[KafkaRecord]:
    """``count`` offer events, each for an offer of its own (keys spread over partitions)."""
    example = EXAMPLES["lotse.offer.published.v1"]
    return [
        encode(example.model_copy(update={"offer_id": f"offer-{n}"}), source="/lotse/bench")
        for n in range(start, start + count)
    ]


async def timed(work: Callable[[], Awaitable[int]]) -> dict[str, float]:
    started = time.perf_counter()
    count = await work()
    seconds = time.perf_counter() - started
    return {"events": count, "seconds": round(seconds, 3), "per_second": round(count / seconds, 1)}


async def raw_produce(producer: AIOKafkaProducer, batch: list[KafkaRecord]) -> int:
    """Send in batches of the relay's size, each acknowledged before the next: the relay's
    pattern without the database."""
    for start in range(0, len(batch), BATCH):
        sends = [
            await producer.send(r.topic, key=r.key, value=r.value, headers=r.headers)
            for r in batch[start : start + BATCH]
        ]
        await asyncio.gather(*sends)
    return len(batch)


async def raw_consume(bootstrap: str, count: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(OFFERS.name, p) for p in range(OFFERS.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen = 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(b) for b in batches.values())
        return seen
    finally:
        await consumer.stop()


async def fill_outbox(engine: AsyncEngine, outbox: Outbox, batch: list[KafkaRecord]) -> None:
    sessions = async_sessionmaker(engine)
    async with sessions() as session, session.begin():
        for start in range(0, len(batch), 1000):
            await outbox.add(session, batch[start : start + 1000])


async def drain(relay: OutboxRelay) -> int:
    total = 0
    while published := await relay.publish_pending():
        total += published
    return total


async def commit_to_ack(
    engine: AsyncEngine, dsn: str, producer: AIOKafkaProducer, samples: int
) -> list[float]:
    """Milliseconds from each single-event commit to Kafka's acknowledgement of it."""
    table = outbox_table(MetaData())
    outbox = Outbox(table, source="/lotse/bench")
    relay = OutboxRelay(engine, table, producer)
    acked: dict[str, asyncio.Future[float]] = {}
    send = producer.send

    async def stamped_send(topic: str, **record: Any) -> asyncio.Future[Any]:
        sent: asyncio.Future[Any] = await send(topic, **record)
        ce_id = dict(record["headers"])["ce_id"].decode()
        sent.add_done_callback(lambda _: acked[ce_id].set_result(time.perf_counter()))
        return sent

    producer.send = stamped_send
    listener = await asyncpg.connect(dsn)
    await listener.add_listener(CHANNEL, lambda *_: relay.wake())
    running = asyncio.create_task(relay.run())
    sessions = async_sessionmaker(engine)
    latencies = []
    try:
        for record in records(samples, start=10_000_000):
            ce_id = dict(record.headers)["ce_id"].decode()
            acked[ce_id] = asyncio.get_running_loop().create_future()
            async with sessions() as session, session.begin():
                await outbox.add(session, [record])
            committed = time.perf_counter()
            latencies.append((await asyncio.wait_for(acked[ce_id], 10) - committed) * 1000)
            await asyncio.sleep(0.005)  # light load: one event at a time
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await listener.close()
        producer.send = send
    return sorted(latencies)


async def produce_to_ack(producer: AIOKafkaProducer, samples: int) -> list[float]:
    latencies = []
    for record in records(samples, start=20_000_000):
        started = time.perf_counter()
        await producer.send_and_wait(
            record.topic, key=record.key, value=record.value, headers=record.headers
        )
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.005)
    return sorted(latencies)


async def run(kafka: Kafka, pg: Postgres, events: int, samples: int) -> dict[str, Any]:
    await pg.create_databases("relay")
    dsn = pg.dsn("relay")
    engine = create_engine(dsn.replace("postgresql://", "postgresql+asyncpg://"))
    table = outbox_table(MetaData())
    async with engine.begin() as conn:
        await conn.run_sync(table.metadata.create_all)
        for statement in notify_on_insert(table.name, CHANNEL):  # as the services' migrations
            await conn.execute(text(statement))
    producer = new_producer(kafka.bootstrap, client_id="lotse-bench")
    await producer.start()
    try:
        warmup = records(500, start=30_000_000)
        await raw_produce(producer, warmup)
        batch = records(events)  # encoded before the clock starts, as the outbox rows are
        produce = await timed(lambda: raw_produce(producer, batch))
        consume = await timed(lambda: raw_consume(kafka.bootstrap, events + len(warmup)))
        await fill_outbox(engine, Outbox(table, source="/lotse/bench"), batch)
        drained = await timed(lambda: drain(OutboxRelay(engine, table, producer)))
        relay_latency = await commit_to_ack(engine, dsn, producer, samples)
        raw_latency = await produce_to_ack(producer, samples)
    finally:
        await producer.stop()
        await engine.dispose()
    event_bytes = len(records(1)[0].value or b"")
    return {
        "events": events,
        "event_bytes": event_bytes,
        "raw_produce": produce,
        "raw_consume": consume,
        "relay_drain": drained,
        "commit_to_ack_ms": spread(relay_latency),
        "produce_to_ack_ms": spread(raw_latency),
        "targets": TARGETS,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(measure, value, target, baseline, ratio) for the table and the summary."""
    produce, consume, drained = result["raw_produce"], result["raw_consume"], result["relay_drain"]
    relay, raw = result["commit_to_ack_ms"], result["produce_to_ack_ms"]
    drain_met = drained["per_second"] >= TARGETS["drain_events_s"]
    p50_met = relay["p50"] <= TARGETS["commit_ack_p50_ms"]
    return [
        ("raw aiokafka produce (acks=all)", f"{produce['per_second']:.0f} ev/s", "", "", ""),
        ("raw aiokafka consume", f"{consume['per_second']:.0f} ev/s", "", "", ""),
        (
            "outbox relay drain",
            f"{drained['per_second']:.0f} ev/s",
            f"≥10000 {'met' if drain_met else 'MISSED'}",
            f"{produce['per_second']:.0f} ev/s raw produce",
            f"{drained['per_second'] / produce['per_second']:.2f}",
        ),
        (
            "commit → Kafka ack p50",
            f"{relay['p50']:.1f} ms",
            f"≤10 ms {'met' if p50_met else 'MISSED'}",
            f"{raw['p50']:.1f} ms raw send_and_wait",
            f"{relay['p50'] / raw['p50']:.2f}",
        ),
        (
            "commit → Kafka ack p99",
            f"{relay['p99']:.1f} ms",
            "",
            f"{raw['p99']:.1f} ms",
            f"{relay['p99'] / raw['p99']:.2f}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="2,000 events, 50 samples")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "kafka_relay.json")
    args = parser.parse_args(argv)
    events, samples = (2000, 50) if args.quick else (args.events, args.samples)
    result = on_kafka_and_postgres("", lambda kafka, pg: run(kafka, pg, events, samples), args.json)
    print(render_rows(rows(result)))
    print(
        f"{events} events of {result['event_bytes']} bytes; latencies over "
        f"{samples} single events, one at a time; ratio = Lotse ÷ raw aiokafka"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
