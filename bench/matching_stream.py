"""Sustained matching: input events per second through the matching service, next to bare SQL
writing the same rows and a raw consumer group reading the same records.

    python -m bench.matching_stream [--offers 500] [--needs 4500] [--quick] [--profile DIR]

Kafka and PostgreSQL (fsync on) of its own and the matching service as a
process (``python -m lotse_matching``). Two streams, one after the other:

1. Offers and then needs of Kreis Unna (random places, kinds, ages and
   levels), produced to its topics as fast as a raw producer can. The figure
   is input events divided by the time from the first send until matching's
   consumer group has committed every one of them, each batch it took applied
   in one transaction with its matches and their events (about 4.4 match
   events per input event). Beside it: bare SQL
   (:mod:`bench.matching_baseline`) writing the rows matching wrote, in the
   transactions matching made, to a database of its own on the same server.
2. Then every need once more as ``need.updated``, one version on and
   otherwise unchanged: matching stores each and ranks its offers afresh, and
   must publish no match event; how many it published is reported with the
   figure, so that it cannot quietly measure something else.

Each stream is also read by a raw aiokafka consumer committing after every
batch to a group of its own, once matching has stopped. DESIGN.md's targets:
the first ≥ 2,500 input events/s and ≥ 50 % of bare SQL, the second ≥ 5,000
events/s. ``--profile DIR`` samples matching with py-spy during the first
(``DIR/matching.txt``; read it with ``python -m bench.profile summary``), which
costs it a little: a profiled run's figures are not the benchmark's.
Writes var/bench/matching_stream.json.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench import matching_baseline as baseline
from bench.consumer_groups import end_offsets, produce, raw_group_consume, until_committed
from bench.profile import recording
from bench.report import render_rows
from bench.servers import Kafka, Postgres, Service, on_kafka_and_postgres
from lotse_shared.contracts import (
    MATCHES,
    NEEDS,
    OFFERS,
    Category,
    Event,
    GermanLevel,
    NeedRegistered,
    NeedUpdated,
    OfferPublished,
)
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import KafkaRecord, encode
from lotse_shared.region import load_region

ROOT = Path(__file__).resolve().parents[1]
# DESIGN.md's targets: the stream's input events/s, its share of the bare-SQL baseline's, and
# the events/s of changes that alter no match.
TARGET = {"events_s": 2500.0, "of_baseline": 0.5, "unchanged_events_s": 5000.0}
PREFIX = "stream."
GROUP = "lotse-matching-bench"


def events(offers: int, needs: int, seed: int = 20261202) -> list[Event]:
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
    assert isinstance(need, NeedRegistered)
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
    return made


def unchanged(made: list[Event]) -> list[Event]:
    """Each need once more, one version on and otherwise as it was: matching stores it and ranks
    its offers afresh, and must find the matches it already has."""
    at = datetime.now(UTC)
    return [
        NeedUpdated.model_validate(e.model_dump() | {"version": e.version + 1, "updated_at": at})
        for e in made
        if isinstance(e, NeedRegistered)
    ]


def records_of(made: list[Event]) -> list[KafkaRecord]:
    return [encode(e, source="/lotse/bench") for e in made]


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


async def match_records(bootstrap: str) -> list[baseline.MatchRecord]:
    """Every match event on the matches topic, as matching's outbox held it."""
    topic = PREFIX + MATCHES.name
    ends = await end_offsets(bootstrap, [topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: list[baseline.MatchRecord] = []
    try:
        consumer.assign(list(ends))
        await consumer.seek_to_beginning(*ends)
        while len(found) < sum(ends.values()):
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                found += [
                    baseline.MatchRecord(
                        MATCHES.name,
                        r.key.decode(),
                        r.value.decode(),
                        [(name, value.decode()) for name, value in r.headers],
                    )
                    for r in batch
                ]
        return found
    finally:
        await consumer.stop()


def entities(records: list[KafkaRecord]) -> dict[str, str]:
    """The offer or need each record is about, by its event id."""
    return {
        dict(r.headers)["ce_id"].decode(): dict(r.headers)["ce_subject"].decode() for r in records
    }


async def run(
    kafka: Kafka, pg: Postgres, offers: int, needs: int, profile: Path | None
) -> dict[str, Any]:
    await pg.create_databases("matching")
    baseline_dsn = await baseline.create_database(pg.dsn("postgres"), "baseline")
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
    made = events(offers, needs)
    records, changes = records_of(made), records_of(unchanged(made))
    topics = [PREFIX + OFFERS.name, PREFIX + NEEDS.name]
    try:
        matching.start()
        await asyncio.to_thread(matching.wait_ready)
        started = time.perf_counter()
        with recording(matching.pid(), profile, "matching"):
            produced = await produce(kafka.bootstrap, records, PREFIX)
            ends = await end_offsets(kafka.bootstrap, topics)
            await until_committed(kafka.bootstrap, GROUP, ends)
        lotse_seconds = time.perf_counter() - started
        matches, out_seconds = await published_matches(kafka.bootstrap, started)
        read_model = await baseline.read_model(pg.dsn("matching"))
        matching_rows = await baseline.row_counts(pg.dsn("matching"))
        changes_started = time.perf_counter()
        await produce(kafka.bootstrap, changes, PREFIX)
        changed_ends = await end_offsets(kafka.bootstrap, topics)
        await until_committed(kafka.bootstrap, GROUP, changed_ends)
        changes_seconds = time.perf_counter() - changes_started
        after_changes, _ = await published_matches(kafka.bootstrap, changes_started)
    finally:
        matching.stop()
    raw_seconds = await raw_group_consume(kafka.bootstrap, {}, ends)
    raw_changes_seconds = await raw_group_consume(kafka.bootstrap, ends, changed_ends)
    transactions = await baseline.transactions_of(
        pg.dsn("matching"),
        GROUP,
        entities(records),
        read_model,
        await match_records(kafka.bootstrap),
    )
    baseline_seconds = await baseline.write(baseline_dsn, GROUP, transactions)
    baseline_rows = await baseline.row_counts(baseline_dsn)
    return {
        "offers": offers,
        "needs": needs,
        "events": len(records),
        "produce_seconds": round(produced, 3),
        "matching_seconds": round(lotse_seconds, 3),
        "matching_events_s": round(len(records) / lotse_seconds, 1),
        "match_events": matches,
        "match_events_s": round(matches / out_seconds, 1),
        "transactions": len(transactions),
        "baseline_match_events": sum(len(t.matches) for t in transactions),
        "baseline_seconds": round(baseline_seconds, 3),
        "matching_rows": matching_rows,
        "baseline_rows": baseline_rows,
        "baseline_events_s": round(len(records) / baseline_seconds, 1),
        "raw_consume_seconds": round(raw_seconds, 3),
        "raw_events_s": round(len(records) / raw_seconds, 1),
        "changes": len(changes),
        "changes_seconds": round(changes_seconds, 3),
        "changes_events_s": round(len(changes) / changes_seconds, 1),
        "changes_match_events": after_changes - matches,
        "raw_changes_seconds": round(raw_changes_seconds, 3),
        "raw_changes_events_s": round(len(changes) / raw_changes_seconds, 1),
        "targets": TARGET,
    }


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(measure, value, target, baseline, ratio): the stream, then the changes that alter no match."""
    stream, bare = result["matching_events_s"], result["baseline_events_s"]
    of_baseline = stream / bare
    stream_met = stream >= TARGET["events_s"] and of_baseline >= TARGET["of_baseline"]
    changes, raw_changes = result["changes_events_s"], result["raw_changes_events_s"]
    per_event = result["match_events"] / result["events"]
    return [
        (
            f"sustained matching, {per_event:.1f} match events per input event",
            f"{stream:.0f} ev/s",
            f"≥50% and ≥2500 ev/s {_verdict(stream_met)}",
            f"{bare:.0f} ev/s bare SQL; {result['raw_events_s']:.0f} ev/s raw consumer group",
            f"{of_baseline:.2f}",
        ),
        (
            f"sustained matching, changes that alter no match "
            f"({result['changes_match_events']} match events)",
            f"{changes:.0f} ev/s",
            f"≥5000 {_verdict(changes >= TARGET['unchanged_events_s'])}",
            f"{raw_changes:.0f} ev/s raw consumer group",
            f"{changes / raw_changes:.3f}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=500)
    parser.add_argument("--needs", type=int, default=4500)
    parser.add_argument("--quick", action="store_true", help="100 offers, 400 needs")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "var" / "bench" / "matching_stream.json"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="sample matching with py-spy during the stream into DIR/matching.txt",
    )
    args = parser.parse_args(argv)
    offers, needs = (100, 400) if args.quick else (args.offers, args.needs)
    result = on_kafka_and_postgres(
        " and matching",
        lambda kafka, pg: run(kafka, pg, offers, needs, args.profile),
        args.json,
    )
    print(render_rows(rows(result)))
    print(
        f"{offers} offers then {needs} needs, produced in {result['produce_seconds']} s; "
        f"matching committed all after {result['matching_seconds']} s in "
        f"{result['transactions']} transactions; they made {result['match_events']} match events "
        f"(found and invalidated), published at {result['match_events_s']:.0f}/s by matching's "
        "relay, in the same process"
    )
    print(
        f"bare SQL wrote the same rows ({result['baseline_match_events']} match and outbox rows) "
        f"in the same {result['transactions']} transactions in {result['baseline_seconds']} s; "
        f"then {result['changes']} need.updated with nothing to change: committed after "
        f"{result['changes_seconds']} s, {result['changes_match_events']} match events"
    )
    same = result["baseline_rows"] == result["matching_rows"]
    print(
        "bare SQL's tables then held "
        + ("what matching's did" if same else "other rows than matching's")
        + f": {result['baseline_rows']}"
        + ("" if same else f", matching's {result['matching_rows']}")
    )
    print("ratio = matching ÷ baseline; the raw consumer group reads and commits the same records")
    if args.profile:
        print(f"profile: python -m bench.profile summary {args.profile / 'matching.txt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
