"""The example subscriber in docs/events, run as a municipal system would run it, against Lotse.

Offers are published, changed and withdrawn over the catalog's API; the
script, started as its own process with nothing of Lotse installed in its
imports, must end up with exactly the current published offers. Run again
after a redelivered event, a message that is not JSON and an unknown type,
it must change nothing and still finish.
"""

from __future__ import annotations

import ast
import asyncio
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tests.processes import Service, offer_body, post, read_topic, register

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "events" / "example_subscriber.py"


def subscribe_once(bootstrap: str, topic: str, group: str, db: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--bootstrap", bootstrap, "--group", group,
         "--topic", topic, "--db", str(db), "--once"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stderr


def stored(db: Path) -> dict[str, tuple[int, Any]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT offer_id, version, places_available FROM offers").fetchall()
    return {offer_id: (version, places) for offer_id, version, places in rows}


def test_the_script_imports_nothing_of_lotse() -> None:
    tree = ast.parse(SCRIPT.read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not isinstance(node, ast.ImportFrom) or node.module
    }
    assert imported - set(sys.stdlib_module_names) == {"aiokafka"}


async def test_the_example_subscriber_keeps_exactly_the_published_offers(
    lotse: dict[str, Service], kafka_bootstrap: str, tmp_path: Path
) -> None:
    catalog = lotse["catalog"].url
    topic = lotse["catalog"].topic_prefix + "lotse.offers"
    run = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient() as client:
        provider, _ = await register(client, catalog, run, f"advisor-{run}@ki-unna.example")
        kept = await post(
            client, f"{catalog}/v1/offers", offer_body(f"A {run}", "counselling"), provider
        )
        gone = await post(
            client, f"{catalog}/v1/offers", offer_body(f"B {run}", "counselling"), provider
        )
        changed = await client.patch(
            f"{catalog}/v1/offers/{kept['id']}",
            json={"places_total": 10, "places_available": 3},
            headers=provider | {"If-Match": '"1"', "content-type": "application/merge-patch+json"},
        )
        assert changed.status_code == 200, changed.text
        withdrawn = await client.delete(
            f"{catalog}/v1/offers/{gone['id']}", headers=provider | {"If-Match": '"1"'}
        )
        assert withdrawn.status_code == 200, withdrawn.text
    deadline = time.monotonic() + 20
    while len(records := await read_topic(kafka_bootstrap, topic)) < 4:
        assert time.monotonic() < deadline, "the catalog did not publish four events"
        await asyncio.sleep(0.2)

    db, group = tmp_path / "offers.sqlite", f"city-website-{run}"
    subscribe_once(kafka_bootstrap, topic, group, db)
    assert stored(db) == {kept["id"]: (2, 3)}

    first = next(r for r in records if r.key == kept["id"].encode())
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, first.value, key=first.key, headers=list(first.headers))
        not_json = [("ce_id", b"not-json-1"), ("ce_type", b"lotse.offer.updated.v1")]
        await producer.send_and_wait(topic, b"{oops", key=first.key, headers=not_json)
        unknown = [("ce_id", b"unknown-1"), ("ce_type", b"lotse.offer.teleported.v1")]
        await producer.send_and_wait(topic, b"{}", key=first.key, headers=unknown)
    finally:
        await producer.stop()
    log = subscribe_once(kafka_bootstrap, topic, group, db)
    assert "seen before, skipped" in log
    assert "is not JSON; skipped" in log
    assert stored(db) == {kept["id"]: (2, 3)}

    # A new system, a new group: the same state from the topic's beginning.
    fresh = tmp_path / "fresh.sqlite"
    subscribe_once(kafka_bootstrap, topic, f"another-system-{run}", fresh)
    assert stored(fresh) == {kept["id"]: (2, 3)}
