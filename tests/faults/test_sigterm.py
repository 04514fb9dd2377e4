"""SIGTERM in the middle of a stream: in-flight work finishes, offsets are committed, exit 0.

While needs pour in over HTTP, matching gets SIGTERM once it has applied
some of them. It must exit with 0, and its committed offsets must be
exactly the events it applied: every event below a committed offset is in
its inbox (nothing committed unprocessed), and every event in its inbox
lies below one (nothing processed left uncommitted). Restarted, it applies
the rest, each event once.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition

from tests.processes import SCHWERTE, Service, post, read_topic, register, wait_ready
from tests.truth import committed_offsets

pytestmark = [pytest.mark.alone, pytest.mark.e2e, pytest.mark.kafka]

NEEDS = 400  # enough that the stream is still coming in when SIGTERM lands


def applied(database: Path, group: str) -> set[str]:
    """The event ids matching's inbox holds for its group."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT event_id FROM inbox WHERE consumer = ?", (group,)).fetchall()
    return {row[0] for row in rows}


async def events(bootstrap: str, topic: str) -> dict[TopicPartition, list[tuple[int, str]]]:
    """(offset, ce_id) of every record in ``topic``, per partition."""
    found: dict[TopicPartition, list[tuple[int, str]]] = {}
    for r in await read_topic(bootstrap, topic):
        tp = TopicPartition(r.topic, r.partition)
        found.setdefault(tp, []).append((r.offset, dict(r.headers)["ce_id"].decode()))
    return found


async def test_sigterm_finishes_in_flight_work_commits_and_exits_0(
    lotse: dict[str, Service], kafka_bootstrap: str, tmp_path: Path
) -> None:
    matching = lotse["matching"]
    group = matching.env["MATCHING_GROUP_ID"]
    database = tmp_path / "matching.db"
    topic = matching.topic_prefix + "lotse.needs"
    run = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=30) as client:
        _, advisor = await register(
            client, lotse["catalog"].url, run, f"advisor-{run}@ki-unna.example"
        )
        need = {"municipality": SCHWERTE, "age": 30, "categories": ["counselling"]}
        gate = asyncio.Semaphore(8)

        async def one() -> Any:
            async with gate:
                return await post(client, f"{lotse['catalog'].url}/v1/needs", need, advisor)

        posting = asyncio.gather(*(one() for _ in range(NEEDS)))
        deadline = time.monotonic() + 60
        while len(applied(database, group)) < 20:
            assert time.monotonic() < deadline, "matching applied nothing"
            await asyncio.sleep(0.02)
        matching.process.send_signal(signal.SIGTERM)
        exit_code = await asyncio.to_thread(matching.process.wait, 30)
        await posting

    assert exit_code == 0, matching.log.read_text()[-3000:]
    deadline = time.monotonic() + 30
    while True:  # the catalog accepted every need; its relay may still be publishing some
        stream = await events(kafka_bootstrap, topic)
        if sum(len(rs) for rs in stream.values()) >= NEEDS or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    offsets = await committed_offsets(kafka_bootstrap, group)
    done = applied(database, group)
    below = {ce_id for tp, rs in stream.items() for o, ce_id in rs if o < offsets.get(tp, 0)}
    everything = {ce_id for rs in stream.values() for _, ce_id in rs}
    assert len(everything) == NEEDS
    assert done & everything == below, "committed offsets and applied events differ"
    assert len(below) < NEEDS, "the stream was over before SIGTERM; nothing was in flight"

    restarted = matching.restart()
    try:
        await wait_ready(restarted)
        deadline = time.monotonic() + 60
        while not everything <= applied(database, group):
            assert time.monotonic() < deadline, "the restarted instance did not catch up"
            await asyncio.sleep(0.1)
    finally:
        assert restarted.stop() == 0
