"""The database away for 10 s, and the broker restarted, in the middle of a stream.

Both times the services run as processes on PostgreSQL while a client posts
offers and needs. The database sits behind a TCP proxy that drops every
connection and refuses new ones for 10 s; the broker is a node of the test's
own, stopped and started again on the same data. Meanwhile consumers and
relays retry with backoff, readiness says what is missing, and the catalog
answers 503. Afterwards nothing is missing: the active matches equal a
from-scratch computation, every outbox is empty, match events alternate per
pair, and every match that holds was emailed once.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.faults.cluster import Cluster, Load, emailed_matches, match_ids
from tests.support import LocalKafka, TcpProxy, unavailable
from tests.truth import match_histories

pytestmark = [
    pytest.mark.alone,
    pytest.mark.e2e,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.timeout(600),
]

EACH = 150


async def nothing_lost(cluster: Cluster, load: Load, inbox: Any) -> int:
    """Assert that the stream was fully processed; returns the number of matches."""
    expected, active = await cluster.settled(load.provider, load.advisor)
    assert len(expected) >= 50, "the load should make plenty of matches"
    assert active == expected, f"{len(active - expected)} invented, {len(expected - active)} missed"
    assert await cluster.drained_outboxes() == {"catalog": 0, "matching": 0, "notifications": 0}
    histories = await match_histories(cluster.kafka, f"{cluster.prefix}lotse.matches")
    for pair, history in histories.items():
        assert history[0] == "found" and all(a != b for a, b in itertools.pairwise(history))
        assert (history[-1] == "found") == (pair in expected), (pair, history)
    wanted = match_ids(expected)
    for _ in range(120):
        arrivals, emailed = emailed_matches(list(inbox.messages))
        if wanted <= emailed.keys():
            break
        await asyncio.sleep(0.5)
    assert wanted <= emailed.keys(), f"{len(wanted - emailed.keys())} matches never emailed"
    assert all(len(ids) == 1 for ids in emailed.values())
    assert all(n == 1 for n in arrivals.values()), "no process died: no email twice"
    return len(expected)


async def readiness(service_url: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{service_url}/readyz")
    return response.status_code, response.json()


async def test_ten_seconds_without_the_database_delay_the_stream_and_lose_nothing(
    kafka_bootstrap: str,
    postgres_server: str,
    smtp_server: tuple[int, Any],
    tmp_path: Path,
) -> None:
    smtp_port, inbox = smtp_server
    server = urlsplit(postgres_server.replace("postgresql+asyncpg", "http"))
    proxy = TcpProxy(server.hostname or "127.0.0.1", server.port or 5432)
    await proxy.start()
    direct = Cluster.databases_on(postgres_server)
    proxied = {
        name: url.replace(f":{server.port}/", f":{proxy.port}/") for name, url in direct.items()
    }
    cluster = Cluster(tmp_path, kafka_bootstrap, smtp_port, proxied, reads=direct)
    load = Load(20261203)
    try:
        await cluster.start_all()
        await load.register(cluster)
        sending = asyncio.ensure_future(load.send(cluster, offers=EACH, needs=EACH))
        await asyncio.sleep(1.5)
        proxy.cut()
        await asyncio.sleep(2)
        status, ready = await readiness(cluster.url("matching"))
        assert status == 503 and ready["checks"]["database"].startswith("unavailable"), ready
        async with httpx.AsyncClient(timeout=10) as client:
            refused = await client.post(
                f"{cluster.url('catalog')}/v1/needs", json=load.need(), headers=load.advisor
            )
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "Retry-After" in refused.headers
        await asyncio.sleep(8)
        proxy.restore()
        await sending
        matches = await nothing_lost(cluster, load, inbox)
        print(f"\ndatabase away 10 s mid-stream: {2 * EACH} offers and needs, {matches} matches")
    finally:
        cluster.stop_all()
        await proxy.close()


async def test_a_broker_restart_mid_stream_loses_nothing(
    postgres_server: str, smtp_server: tuple[int, Any], tmp_path: Path
) -> None:
    smtp_port, inbox = smtp_server
    broker = LocalKafka(Path(tempfile.mkdtemp(prefix="lotse-kafka-restart-", dir=tmp_path)))
    failure = broker.start()
    if failure:
        unavailable(f"no Kafka broker of the test's own: {failure}")
    cluster = Cluster(tmp_path, broker.bootstrap, smtp_port, Cluster.databases_on(postgres_server))
    load = Load(20261204)
    try:
        await cluster.start_all()
        await load.register(cluster)
        sending = asyncio.ensure_future(load.send(cluster, offers=EACH, needs=EACH))
        await asyncio.sleep(1.5)
        await asyncio.to_thread(broker.stop)
        await asyncio.sleep(2)
        status, ready = await readiness(cluster.url("matching"))
        assert status == 503 and ready["checks"]["kafka"].startswith("unavailable"), ready
        await asyncio.sleep(3)
        assert await asyncio.to_thread(broker.start) == ""
        await sending
        matches = await nothing_lost(cluster, load, inbox)
        print(f"\nbroker restarted mid-stream: {2 * EACH} offers and needs, {matches} matches")
    finally:
        cluster.stop_all()
        broker.stop()
