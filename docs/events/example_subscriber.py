"""An example subscriber: a municipal system's own copy of Lotse's published offers.

Copy it and change ``apply`` to what your system does. It needs only
aiokafka (``pip install aiokafka``) and the Python standard library:

    python example_subscriber.py --bootstrap kafka.example:9092 --group my-city-website \
        --db offers.sqlite [--once]

What it shows (docs/events/README.md explains each point):

- its own consumer group, reading the compacted ``lotse.offers`` topic from the
  beginning, so a new system first receives every offer's latest state;
- offsets committed only after the change is stored (at-least-once);
- deduplication by the CloudEvents id ``ce_id``, stored in the same SQLite
  transaction as the change, so a redelivered event changes nothing;
- ``version``: an older state never overwrites a newer one;
- unknown event types and future fields are ignored; a message that is not
  JSON is reported and skipped, never retried for ever;
- ``--once`` stops when it has caught up with the end of the topic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sqlite3
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

log = logging.getLogger("offers-subscriber")

SCHEMA = """
CREATE TABLE IF NOT EXISTS offers (
    offer_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    municipality TEXT NOT NULL,
    category TEXT NOT NULL,
    places_available INTEGER,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_events (ce_id TEXT PRIMARY KEY);
"""
HANDLED = {"lotse.offer.published.v1", "lotse.offer.updated.v1", "lotse.offer.withdrawn.v1"}


def apply(db: sqlite3.Connection, event_type: str, offer: dict[str, Any]) -> str:
    """Store one offer change; returns what happened, for the log."""
    row = db.execute(
        "SELECT version FROM offers WHERE offer_id = ?", (offer["offer_id"],)
    ).fetchone()
    if row is not None and row[0] >= offer["version"]:
        return "older than what we have"
    if event_type == "lotse.offer.withdrawn.v1":
        db.execute("DELETE FROM offers WHERE offer_id = ?", (offer["offer_id"],))
        return "withdrawn"
    db.execute(
        "INSERT INTO offers VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (offer_id) DO UPDATE SET"
        " version = excluded.version, status = excluded.status, title = excluded.title,"
        " municipality = excluded.municipality, category = excluded.category,"
        " places_available = excluded.places_available, document = excluded.document",
        (
            offer["offer_id"],
            offer["version"],
            offer["status"],
            offer["title"]["de"],
            offer["location"]["municipality"],
            offer["category"],
            offer.get("places_available"),
            json.dumps(offer),
        ),
    )
    return "stored"


def handle(db: sqlite3.Connection, record: Any) -> None:
    """One Kafka record, in one transaction with its ce_id."""
    headers = {name: value.decode() for name, value in record.headers or ()}
    event_id, event_type = headers.get("ce_id"), headers.get("ce_type")
    if record.value is None or event_id is None or event_type not in HANDLED:
        return  # a tombstone, or a type this system does not use
    with db:  # one transaction: the change and the event id together
        if db.execute("SELECT 1 FROM seen_events WHERE ce_id = ?", (event_id,)).fetchone():
            log.info("%s seen before, skipped", event_id)
            return
        try:
            offer = json.loads(record.value)
        except ValueError:
            log.error(
                "%s at %s[%d]@%d is not JSON; skipped",
                event_id,
                record.topic,
                record.partition,
                record.offset,
            )
        else:
            outcome = apply(db, event_type, offer)
            log.info("%s %s v%s: %s", event_type, offer["offer_id"], offer["version"], outcome)
        db.execute("INSERT INTO seen_events VALUES (?)", (event_id,))


async def run(bootstrap: str, group: str, topic: str, db_path: str, once: bool) -> None:
    db = sqlite3.connect(db_path)
    db.executescript(SCHEMA)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,  # commit only what is stored
        auto_offset_reset="earliest",  # a new group starts with every offer's latest state
    )
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    handle(db, record)
            if batches:
                await consumer.commit()
            if once and await caught_up(consumer):
                return
    finally:
        await consumer.stop()
        db.close()


async def caught_up(consumer: AIOKafkaConsumer) -> bool:
    assigned: set[TopicPartition] = consumer.assignment()
    if not assigned:
        return False
    ends = await consumer.end_offsets(list(assigned))
    for tp in assigned:
        if await consumer.position(tp) < ends[tp]:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description="Keep a copy of Lotse's published offers.")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--group", required=True, help="your system's own consumer group")
    parser.add_argument("--topic", default="lotse.offers")
    parser.add_argument("--db", default="offers.sqlite")
    parser.add_argument("--once", action="store_true", help="stop when caught up")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(run(args.bootstrap, args.group, args.topic, args.db, args.once))


if __name__ == "__main__":
    main()
