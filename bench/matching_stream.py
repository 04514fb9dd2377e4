"""Sustained matching: events per second through the matching service, next to a raw consumer.

    python -m bench.matching_stream [--offers 500] [--needs 4500] [--quick]

Kafka and PostgreSQL (fsync on) of its own and the matching service as a
process (``python -m lotse_matching``). Once it is ready, offers and then
needs of Kreis Unna (random places, kinds, ages and levels) are produced to
its topics as fast as a raw producer can; the figure is events divided by
the time from the first send until matching's consumer group has committed
every one of them — each applied in its own transaction with its matches and
their events. The baseline is a raw aiokafka consumer in a group of its own
reading the same events and committing after every batch.

DESIGN.md's target: sustained matching ≥ 5,000 events/s.
Writes var/bench/matching_stream.json.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.report import render_rows
from bench.servers import Kafka, Postgres, Service, on_kafka_and_postgres
from lotse_shared.contracts import (
    MATCHES,
    NEEDS,
    OFFERS,
    Category,
    Event,
    GermanLevel,
    OfferPublished,
)
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import KafkaRecord, encode
from lotse_shared.kafka import new_producer
from lotse_shared.region import load_region

ROOT = Path(__file__).resolve().parents[1]
TARGET = 5000.0
PREFIX = "stream."
GROUP = "lotse-matching-bench"


def events(offers: int, needs: int, seed: int = 20261202) -> list[KafkaRecord]:
    """``offers`` offer.published, then ``needs`` need.registered, spread over the district."""
    rng = random.Random(seed)
    places = sorted(load_region().municipalities)
    kinds, levels = list(Category), list(GermanLevel)
    made: list[Event] = []
    offer = EXAMPLES["lotse.offer.published.v1"]
    assert isinstance(offer, OfferPublished)
    for n in range(offers):
        low = rng.randrange(len(levels))
        made.append(
            offer.model_copy(
                update={
                    "offer_id": f"offer-{n}",
                    "category": rng.choice(kinds),
                    "location": offer.location.model_copy(
                        update={"municipality": rng.choice(places), "lat": None, "lon": None}
                    ),
                    "service_area": [],
                    "german_level_min": levels[low],
                    "german_level_max": levels[rng.randrange(low, len(levels))],
                    "start_date": None,
                    "end_date": None,
                    "application_deadline": None,
                }
            )
        )
    need = EXAMPLES["lotse.need.registered.v1"]
    for n in range(needs):
        made.append(
            need.model_copy(
                update={
                    "need_id": f"need-{n}",
                    "reference": f"UNN-{n:06d}",
                    "municipality": rng.choice(places),
                    "categories": rng.sample(kinds, rng.choice([1, 2])),
                    "age": rng.randrange(16, 70),
                    "german_level": rng.choice(levels),
                    "max_travel_km": rng.choice([0, 5, 15]),
                    "earliest_start": None,
                    "times_of_day": [],
                }
            )
        )
    return [encode(e, source="/lotse/bench") for e in made]


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
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in range(OFFERS.partitions)]
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end}
    finally:
        await consumer.stop()


async def published_matches(bootstrap: str, started: float) -> tuple[int, float]:
    """The match events matching published, and the seconds from ``started`` until the last.

    Its relay publishes them after the transactions that made them, so the
    count is taken once it has stayed the same for a second.
    """
    count, last_change = -1, time.perf_counter()
    while time.perf_counter() - last_change < 1.0:
        now = sum((await end_offsets(bootstrap, [PREFIX + MATCHES.name])).values())
        if now != count:
            count, last_change = now, time.perf_counter()
        await asyncio.sleep(0.05)
    return count, last_change - started


async def raw_group_consume(bootstrap: str, topics: list[str], count: int) -> float:
    """Seconds for a raw consumer group to read and commit ``count`` records."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        started, seen = time.perf_counter(), 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000)
            seen += sum(len(b) for b in batches.values())
            if batches:
                await consumer.commit()
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def run(kafka: Kafka, pg: Postgres, offers: int, needs: int) -> dict[str, Any]:
    await pg.create_databases("matching")
    matching = Service(
        "matching",
        {
            "LOTSE_ENV": "test",
            "LOTSE_JWT_SECRET": "bench-matching-stream-0123456789-0123456789",
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
            "LOTSE_TOPIC_PREFIX": PREFIX,
            "MATCHING_GROUP_ID": GROUP,
            "MATCHING_DATABASE_URL": pg.dsn("matching").replace(
                "postgresql://", "postgresql+asyncpg://"
            ),
            "LOTSE_LOG_LEVEL": "WARNING",
        },
    )
    records = events(offers, needs)
    topics = [PREFIX + OFFERS.name, PREFIX + NEEDS.name]
    try:
        matching.start()
        await asyncio.to_thread(matching.wait_ready)
        producer = new_producer(kafka.bootstrap, client_id="bench-stream")
        await producer.start()
        try:
            started = time.perf_counter()
            sends = [
                await producer.send(PREFIX + r.topic, key=r.key, value=r.value, headers=r.headers)
                for r in records
            ]
            await asyncio.gather(*sends)
            produced = time.perf_counter() - started
        finally:
            await producer.stop()
        ends = await end_offsets(kafka.bootstrap, topics)
        while not await committed_all(kafka.bootstrap, GROUP, ends):  # noqa: ASYNC110 (polls Kafka)
            await asyncio.sleep(0.1)
        lotse_seconds = time.perf_counter() - started
        matches, out_seconds = await published_matches(kafka.bootstrap, started)
    finally:
        matching.stop()
    raw_seconds = await raw_group_consume(kafka.bootstrap, topics, len(records))
    return {
        "offers": offers,
        "needs": needs,
        "events": len(records),
        "produce_seconds": round(produced, 3),
        "matching_seconds": round(lotse_seconds, 3),
        "matching_events_s": round(len(records) / lotse_seconds, 1),
        "match_events": matches,
        "match_events_s": round(matches / out_seconds, 1),
        "raw_consume_seconds": round(raw_seconds, 3),
        "raw_events_s": round(len(records) / raw_seconds, 1),
        "target_events_s": TARGET,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    met = result["matching_events_s"] >= TARGET
    return [
        (
            "sustained matching",
            f"{result['matching_events_s']:.0f} ev/s",
            f"≥5000 {'met' if met else 'MISSED'}",
            f"{result['raw_events_s']:.0f} ev/s raw consumer group",
            f"{result['matching_events_s'] / result['raw_events_s']:.5f}",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=500)
    parser.add_argument("--needs", type=int, default=4500)
    parser.add_argument("--quick", action="store_true", help="100 offers, 400 needs")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "var" / "bench" / "matching_stream.json"
    )
    args = parser.parse_args(argv)
    offers, needs = (100, 400) if args.quick else (args.offers, args.needs)
    result = on_kafka_and_postgres(
        " and matching", lambda kafka, pg: run(kafka, pg, offers, needs), args.json
    )
    print(render_rows(rows(result)))
    print(
        f"{offers} offers then {needs} needs, produced in {result['produce_seconds']} s; "
        f"matching committed all after {result['matching_seconds']} s; "
        "ratio = matching ÷ a raw consumer group committing per batch"
    )
    print(
        f"they made {result['match_events']} match events (found and invalidated), published at "
        f"{result['match_events_s']:.0f}/s by matching's relay, in the same process"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
