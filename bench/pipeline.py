"""Offer published → email accepted by SMTP, at a fixed open-loop rate, through all of Lotse.

    python -m bench.pipeline [--offers 300] [--rate 10] [--quick]

Kafka and PostgreSQL (fsync on) of its own, the three services as processes
(``python -m lotse_<name>``, batching window 0), and an SMTP server in this
process that stamps each message as it accepts it. One advisor has a need in
every (municipality, kind) of the district, each reachable only at home;
offers then go to the catalog's API at a fixed rate, open loop (each at its
scheduled moment, whether or not the earlier ones are done), each in a
(municipality, kind) of its own turn, so each makes exactly one match and
one email. Latency runs from the scheduled send of the POST to the SMTP
server's acceptance of the email naming that offer: HTTP, catalog commit,
outbox relay, Kafka, matching, its outbox, Kafka again, notifications, SMTP.

The baseline is one raw Kafka hop measured in the same run: aiokafka
produce (acks=all) to a plain consumer's receipt. DESIGN.md's target at light
load with the batching window at 0: p50 ≤ 20 ms, p99 ≤ 60 ms. Beside it, the sum
of three commits on the same PostgreSQL (a one-row transaction through asyncpg,
fsync on, one at a time): what the offer's, the match's and the delivery's
transactions cost at least, whatever runs around them.
Writes var/bench/pipeline.json.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import itertools
import json
import secrets
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiosmtpd.controller import Controller

from bench.latency import spread
from bench.report import render_rows
from bench.servers import Kafka, Postgres, Service, free_port, on_kafka_and_postgres
from lotse_shared.auth import JwtCodec
from lotse_shared.contracts import MATCHES, OFFERS, Category, Topic
from lotse_shared.identity import Role
from lotse_shared.kafka import create_topics, new_producer
from lotse_shared.region import load_region

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"p50_ms": 20.0, "p99_ms": 60.0}
COMMITS = 3  # on the way: the catalog's offer, matching's match, notifications' delivery
TITLE = "Bench-Angebot "


class StampingHandler:
    """Keeps each accepted message with the moment it was accepted."""

    def __init__(self) -> None:
        self.accepted: list[tuple[float, bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        self.accepted.append((time.time(), envelope.original_content or envelope.content))
        return "250 OK"


def titles_in(raw: bytes) -> list[str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    return [line.split(". ", 1)[1].strip() for line in text.splitlines() if TITLE in line]


async def one_kafka_hop(bootstrap: str, samples: int) -> list[float]:
    """Milliseconds from a raw produce (acks=all) to a plain consumer's receipt, one at a time."""
    topic = f"bench-hop-{uuid.uuid4().hex[:6]}"
    await create_topics(bootstrap, (Topic(topic, key="-", description="-", partitions=1),))
    producer = new_producer(bootstrap, client_id="bench-hop")
    await producer.start()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    try:
        await producer.send_and_wait(topic, b"warm-up")
        await consumer.start()
        await consumer.getmany(timeout_ms=2000)  # joins, gets its partition
        latencies = []
        for n in range(samples):
            started = time.perf_counter()
            await producer.send(topic, f"{n}".encode())
            while not await consumer.getmany(timeout_ms=1000):
                pass
            latencies.append((time.perf_counter() - started) * 1000)
        return sorted(latencies)
    finally:
        await consumer.stop()
        await producer.stop()


async def one_commit(dsn: str, samples: int) -> list[float]:
    """Milliseconds of a one-row transaction through asyncpg, one at a time, fsync on."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CREATE TABLE IF NOT EXISTS bench_commit (n int, at timestamptz)")
        latencies = []
        for n in range(samples + 20):  # the first 20 warm the connection up
            started = time.perf_counter()
            async with connection.transaction():
                await connection.execute("INSERT INTO bench_commit VALUES ($1, now())", n)
            if n >= 20:
                latencies.append((time.perf_counter() - started) * 1000)
        return sorted(latencies)
    finally:
        await connection.close()


async def drive(
    services: dict[str, Service], handler: StampingHandler, offers: int, rate: float, codec: Any
) -> dict[str, Any]:
    region = load_region()
    places, kinds = sorted(region.municipalities), [c.value for c in Category]
    cells = list(itertools.product(places, kinds))
    admin = {"Authorization": f"Bearer {codec.issue('ki-admin', Role.ADMIN)}"}
    provider = {"Authorization": f"Bearer {codec.issue('vhs-bench', Role.PROVIDER)}"}
    advisor = {"Authorization": f"Bearer {codec.issue('adv-bench', Role.ADVISOR)}"}
    catalog = services["catalog"].url
    async with httpx.AsyncClient(base_url=catalog, timeout=30) as client:
        for path, body in (
            ("/v1/providers", {"id": "vhs-bench", "name": "VHS", "contact_email": "i@vhs.example"}),
            (
                "/v1/advisors",
                {"id": "adv-bench", "name": "A", "email": "a@ki.example", "organisation": "KI"},
            ),
        ):
            assert (await client.post(path, json=body, headers=admin)).status_code == 201
        for place, kind in cells:
            need = {"municipality": place, "age": 30, "categories": [kind], "max_travel_km": 0}
            response = await client.post("/v1/needs", json=need, headers=advisor)
            assert response.status_code == 201, response.text
        await asyncio.sleep(3)  # the needs reach matching before the clock starts
        handler.accepted.clear()

        scheduled: dict[str, float] = {}
        answered: dict[str, float] = {}
        failures: list[str] = []

        async def post(n: int, at: float) -> None:
            place, kind = cells[n % len(cells)]
            title = f"{TITLE}{n}"
            body = {
                "title": {"de": title},
                "description": {"de": "-"},
                "category": kind,
                "location": {"municipality": place},
                "contact_email": "kurse@vhs.example",
            }
            await asyncio.sleep(max(at - time.time(), 0))
            scheduled[title] = at
            response = await client.post("/v1/offers", json=body, headers=provider)
            answered[title] = time.time()
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.text[:200]}")

        start = time.time() + 0.5
        await asyncio.gather(*(post(n, start + n / rate) for n in range(offers)))
        deadline = time.time() + 30
        while time.time() < deadline:
            arrived = {t: at for at, raw in handler.accepted for t in titles_in(raw)}
            if len(arrived) >= offers:
                break
            await asyncio.sleep(0.2)
    latencies = sorted((arrived[t] - scheduled[t]) * 1000 for t in scheduled if t in arrived)
    return {
        "offers": offers,
        "rate": rate,
        "emailed": len(latencies),
        "errors": failures[:5],
        "latency_ms": latencies,
        "moments": {"scheduled": scheduled, "answered": answered, "emailed": arrived},
    }


async def produced_at(bootstrap: str, topic: str, title_of: Any) -> dict[str, float]:
    """When each record on ``topic`` was produced (its CreateTime), by the title it names."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    found: dict[str, float] = {}
    try:
        while batches := await consumer.getmany(timeout_ms=1000):
            for record in (r for b in batches.values() for r in b):
                title = title_of(json.loads(record.value)) if record.value else None
                if title and title.startswith(TITLE):
                    found.setdefault(title, record.timestamp / 1000)
    finally:
        await consumer.stop()
    return found


async def stages(bootstrap: str, moments: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Where the time goes: median milliseconds of each stage, by wall clock and Kafka CreateTime.

    Kafka's timestamps have a resolution of 1 ms, so each stage is good to about a millisecond.
    """
    offered = await produced_at(bootstrap, OFFERS.name, lambda v: v["title"]["de"])
    matched = await produced_at(bootstrap, MATCHES.name, lambda v: v["offer"]["title"])
    points = [
        ("POST answered", moments["scheduled"], moments["answered"]),
        ("catalog relay", moments["answered"], offered),
        ("matching", offered, matched),
        ("notifications", matched, moments["emailed"]),
    ]
    return {
        name: statistics.median([(end[t] - begin[t]) * 1000 for t in begin if t in end])
        for name, begin, end in points
    }


async def run(kafka: Kafka, pg: Postgres, offers: int, rate: float) -> dict[str, Any]:
    names = ("catalog", "matching", "notifications")
    await pg.create_databases(*names)
    handler = StampingHandler()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    secret = secrets.token_urlsafe(36)
    env = {
        "LOTSE_ENV": "production",
        "LOTSE_JWT_SECRET": secret,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "MAIL_FROM": "Lotse <lotse@ki-unna.example>",
        "NOTIFICATIONS_BATCH_WINDOW_SECONDS": "0",
        "CATALOG_REVIEW_POLICY": "off",  # the publishing path itself, as the targets name it
        "LOTSE_LOG_LEVEL": "WARNING",
        **{
            f"{n.upper()}_DATABASE_URL": pg.dsn(n).replace("postgresql://", "postgresql+asyncpg://")
            for n in names
        },
    }
    services = {n: Service(n, env) for n in names}
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            await asyncio.to_thread(service.wait_ready)
        driven = await drive(services, handler, offers, rate, JwtCodec(secret))
        hop = await one_kafka_hop(kafka.bootstrap, min(offers, 300))
        commit = await one_commit(pg.dsn("catalog"), min(offers, 300))
        parts = await stages(kafka.bootstrap, driven["moments"])
    finally:
        for service in services.values():
            service.stop()
        smtp.stop()
    return {
        "offers": offers,
        "rate": rate,
        "emailed": driven["emailed"],
        "errors": driven["errors"],
        "offer_to_email_ms": spread(driven["latency_ms"]),
        "one_kafka_hop_ms": spread(hop),
        "one_commit_ms": spread(commit),
        "stage_p50_ms": {name: round(ms, 1) for name, ms in parts.items()},
        "targets": TARGETS,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    lotse, hop = result["offer_to_email_ms"], result["one_kafka_hop_ms"]
    commit = result.get("one_commit_ms")
    at = f"@{result['rate']:.0f}/s"
    met50, met99 = lotse["p50"] <= TARGETS["p50_ms"], lotse["p99"] <= TARGETS["p99_ms"]

    def commits(p: str) -> str:
        return f"; {COMMITS * commit[p]:.1f} ms {COMMITS} commits" if commit else ""

    return [
        (
            f"offer → email p50 {at}",
            f"{lotse['p50']:.1f} ms",
            f"≤20 ms {'met' if met50 else 'MISSED'}",
            f"{hop['p50']:.1f} ms one raw Kafka hop{commits('p50')}",
            f"{lotse['p50'] / hop['p50']:.1f}",
        ),
        (
            f"offer → email p99 {at}",
            f"{lotse['p99']:.1f} ms",
            f"≤60 ms {'met' if met99 else 'MISSED'}",
            f"{hop['p99']:.1f} ms{commits('p99')}",
            f"{lotse['p99'] / hop['p99']:.1f}",
        ),
        (f"offer → email p99.9 {at}", f"{lotse['p999']:.1f} ms", "", f"{hop['p999']:.1f} ms", ""),
        (
            "offers emailed",
            f"{result['emailed']} of {result['offers']}",
            f"{result['offers']}",
            "",
            "",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="offers per second, open loop")
    parser.add_argument("--quick", action="store_true", help="40 offers at 10/s")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "pipeline.json")
    args = parser.parse_args(argv)
    offers = 40 if args.quick else args.offers
    result = on_kafka_and_postgres(
        " and the three services", lambda kafka, pg: run(kafka, pg, offers, args.rate), args.json
    )
    print(render_rows(rows(result)))
    print(
        f"{offers} offers at {args.rate:.0f}/s, open loop, each one match and one email; "
        "latency from the POST's scheduled moment to SMTP acceptance; "
        "ratio = Lotse ÷ one raw Kafka hop (Lotse's path has two hops, three commits and SMTP)"
    )
    print(
        "median of each stage: "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in result["stage_p50_ms"].items())
    )
    return 0 if result["emailed"] == offers else 1


if __name__ == "__main__":
    raise SystemExit(main())
