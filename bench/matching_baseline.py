"""The bare-SQL baseline of sustained matching: the rows matching wrote, in its transactions.

After matching has applied the stream, :func:`transactions_of` reads back what
it did: its inbox says which input events each transaction took (one
``received_at`` per transaction), its read model holds the offer and need
rows they stored, and the match events it published carry the moment they
were made (``ce_time``, inside the transaction that made them). :func:`write`
then writes exactly those rows through asyncpg, with no ORM and no models, in
a database of its own made by matching's migrations: per transaction the
inbox rows, the offers and needs, the matches found (an upsert: one may be
found again) and invalidated, and the match events as outbox rows, one
statement per kind of row, one transaction after the other on one
connection, as matching's one consumer does. Every row is made before the
clock starts; what matching reads to decide what to write, and its lock and
NOTIFY, are not part of it.
"""

from __future__ import annotations

import bisect
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import asyncpg

from lotse_shared.database import create_engine
from lotse_shared.migrations import upgrade

__all__ = [
    "MatchRecord",
    "ReadModel",
    "Transaction",
    "create_database",
    "read_model",
    "row_counts",
    "statements",
    "transactions_of",
    "write",
]

FOUND = "lotse.match.found.v1"

INSERT_INBOX = (
    "INSERT INTO inbox (consumer, event_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
)
INSERT_OFFER = (
    "INSERT INTO offers (id, provider_id, category, status, version, details)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
)
INSERT_NEED = (
    "INSERT INTO needs (id, reference, advisor_id, status, version, details, nid, seq)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)
UPSERT_FOUND = (
    "INSERT INTO matches (id, need_id, offer_id, status, score, reasons, eligibility, found_at)"
    " VALUES ($1, $2, $3, 'active', $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET"
    " status = 'active', score = excluded.score, reasons = excluded.reasons,"
    " eligibility = excluded.eligibility, found_at = excluded.found_at,"
    " invalidated_at = NULL, invalidation_reason = NULL"
)
UPDATE_INVALIDATED = (
    "UPDATE matches SET status = 'invalidated', invalidated_at = $2, invalidation_reason = $3"
    " WHERE id = $1"
)
INSERT_OUTBOX = (
    "INSERT INTO outbox (topic, key, value, headers, created_at) VALUES ($1, $2, $3, $4, $5)"
)


@dataclass(frozen=True)
class MatchRecord:
    """A match event as matching's relay published it, with its topic as the outbox names it."""

    topic: str
    key: str
    value: str
    headers: list[tuple[str, str]]

    @property
    def made_at(self) -> datetime:
        return datetime.fromisoformat(dict(self.headers)["ce_time"])


@dataclass
class Transaction:
    """What one of matching's transactions wrote: its input events and the rows they made."""

    event_ids: list[str]
    offers: list[tuple[Any, ...]] = field(default_factory=list)
    needs: list[tuple[Any, ...]] = field(default_factory=list)
    matches: list[MatchRecord] = field(default_factory=list)


@dataclass(frozen=True)
class ReadModel:
    """Matching's offer and need rows by id, as it stored them."""

    offers: dict[str, tuple[Any, ...]]
    needs: dict[str, tuple[Any, ...]]


async def read_model(dsn: str) -> ReadModel:
    """Matching's offer and need rows; read once the stream is applied, before anything else."""
    conn = await asyncpg.connect(dsn)
    try:
        offers = await conn.fetch(
            "SELECT id, provider_id, category, status, version, details FROM offers"
        )
        needs = await conn.fetch(
            "SELECT id, reference, advisor_id, status, version, details, nid, seq FROM needs"
        )
    finally:
        await conn.close()
    return ReadModel({r["id"]: tuple(r) for r in offers}, {r["id"]: tuple(r) for r in needs})


async def row_counts(dsn: str) -> dict[str, int]:
    """How many rows of each kind the database holds: to check the baseline wrote what matching did."""
    conn = await asyncpg.connect(dsn)
    try:
        counts = {
            table: int(await conn.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in ("inbox", "offers", "needs")
        }
        for status, count in await conn.fetch(
            "SELECT status, count(*) FROM matches GROUP BY status ORDER BY status"
        ):
            counts[f"matches {status}"] = int(count)
        return counts
    finally:
        await conn.close()


async def transactions_of(
    dsn: str,
    consumer: str,
    entity_of: dict[str, str],
    stored: ReadModel,
    records: list[MatchRecord],
) -> list[Transaction]:
    """Matching's transactions that took the events in ``entity_of``, in commit order, with
    their rows: ``entity_of`` gives the offer or need each event is about, ``stored`` their
    rows, ``records`` every match event matching published."""
    conn = await asyncpg.connect(dsn)
    try:
        inbox = await conn.fetch(
            "SELECT event_id, received_at FROM inbox WHERE consumer = $1 ORDER BY received_at",
            consumer,
        )
    finally:
        await conn.close()
    moments = sorted({r["received_at"] for r in inbox})
    taken: dict[datetime, Transaction] = {}
    for row in inbox:
        transaction = taken.setdefault(row["received_at"], Transaction([]))
        transaction.event_ids.append(row["event_id"])
        entity = entity_of.get(row["event_id"], "")  # none: an event after the stream
        if entity in stored.offers:
            transaction.offers.append(stored.offers[entity])
        elif entity in stored.needs:
            transaction.needs.append(stored.needs[entity])
    for record in sorted(records, key=lambda r: r.made_at):
        after = bisect.bisect_right(moments, record.made_at)
        if after:  # the last transaction that began before the event was made
            taken[moments[after - 1]].matches.append(record)
    return [t for _, t in sorted(taken.items()) if entity_of.keys() & set(t.event_ids)]


async def create_database(admin_dsn: str, name: str) -> str:
    """A database ``name`` with matching's tables, from its own migrations; its DSN."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    dsn = admin_dsn.rsplit("/", 1)[0] + f"/{name}"
    engine = create_engine(dsn.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        await upgrade(engine, str(resources.files("lotse_matching") / "migrations"))
    finally:
        await engine.dispose()
    return dsn


def _match_rows(records: list[MatchRecord], now: datetime) -> list[tuple[str, list[Any]]]:
    """The statements for the match rows, in the events' order: runs of one kind together."""
    runs: list[tuple[str, list[Any]]] = []
    for record in records:
        event = json.loads(record.value)
        if dict(record.headers)["ce_type"] == FOUND:
            statement = UPSERT_FOUND
            row: tuple[Any, ...] = (
                event["match_id"],
                event["need_id"],
                event["offer_id"],
                event["score"],
                json.dumps(event["reasons"], ensure_ascii=False),
                event["eligibility"],
                now,
            )
        else:
            statement, row = UPDATE_INVALIDATED, (event["match_id"], now, event["reason"])
        if not runs or runs[-1][0] != statement:
            runs.append((statement, []))
        runs[-1][1].append(row)
    return runs


def statements(consumer: str, transaction: Transaction) -> list[tuple[str, list[Any]]]:
    """The transaction's statements, each with its rows, made before the clock starts."""
    now = datetime.now(UTC)
    made: list[tuple[str, list[Any]]] = [
        (INSERT_INBOX, [(consumer, e, now) for e in transaction.event_ids]),
        (INSERT_OFFER, transaction.offers),
        (INSERT_NEED, transaction.needs),
        *_match_rows(transaction.matches, now),
        (
            INSERT_OUTBOX,
            [(r.topic, r.key, r.value, json.dumps(r.headers), now) for r in transaction.matches],
        ),
    ]
    return [(statement, rows) for statement, rows in made if rows]


async def write(dsn: str, consumer: str, transactions: list[Transaction]) -> float:
    """Seconds to write every transaction's rows, one transaction after the other."""
    prepared = [statements(consumer, t) for t in transactions]
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        for transaction in prepared:
            async with conn.transaction():
                for statement, rows in transaction:
                    await conn.executemany(statement, rows)
        return time.perf_counter() - started
    finally:
        await conn.close()
