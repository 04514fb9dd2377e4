"""A poison message on every consumed topic is parked in ``<topic>.dlq``, committed, and passed by.

The three services run as processes against the real broker. Before any
real traffic, each topic a service consumes gets three messages that can
never succeed: bad JSON, an unknown event type, and data that fails
validation. Then a provider, an advisor, an offer and a need go in over
HTTP; the advisor's email proves that every consumer went on past its
poison. Each ``.dlq`` must hold exactly the three messages, unchanged, with
headers naming the origin topic, partition and offset, the consumer group
and the error; and each group's committed offset must lie beyond them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from tests.processes import (
    SCHWERTE,
    Service,
    emails_to,
    offer_body,
    post,
    read_topic,
    register,
)
from tests.truth import committed_offsets

pytestmark = [pytest.mark.alone, pytest.mark.e2e, pytest.mark.kafka]

# Every topic a service consumes, with an event type that belongs on it.
CONSUMED = {
    "lotse.offers": "lotse.offer.published.v1",
    "lotse.needs": "lotse.need.registered.v1",
    "lotse.directory": "lotse.advisor.registered.v1",
    "lotse.matches": "lotse.match.found.v1",
}


def poisons(event_type: str, run: str) -> list[tuple[str, bytes, str]]:
    """(key, value, ce_type) of three messages that can never be processed, and what is wrong."""
    return [
        (f"bad-json-{run}", b'{"offer_id": "o-1", ', event_type),
        (f"unknown-type-{run}", b"{}", "lotse.something.exploded.v1"),
        (f"invalid-{run}", b'{"unexpected": true}', event_type),
    ]


def headers_of(record: Any) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def committed_beyond(bootstrap: str, group: str, tp: TopicPartition, offset: int) -> int:
    """The group's committed offset on ``tp`` once it passes ``offset`` (waits up to 20 s)."""
    deadline = time.monotonic() + 20
    while True:
        committed = (await committed_offsets(bootstrap, group)).get(tp, -1)
        if committed > offset or time.monotonic() > deadline:
            return committed
        await asyncio.sleep(0.2)


async def test_poison_on_every_consumed_topic_is_dead_lettered_and_passed_by(
    lotse: dict[str, Service], smtp_server: tuple[int, Any], kafka_bootstrap: str
) -> None:
    _, inbox = smtp_server
    prefix = lotse["catalog"].topic_prefix
    run = uuid.uuid4().hex[:8]
    sent: dict[str, list[tuple[str, bytes, str]]] = {}
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for topic, event_type in CONSUMED.items():
            sent[topic] = poisons(event_type, run)
            for key, value, ce_type in sent[topic]:
                headers = [
                    ("ce_specversion", b"1.0"),
                    ("ce_id", str(uuid.uuid4()).encode()),
                    ("ce_source", b"/poison"),
                    ("ce_type", ce_type.encode()),
                    ("content-type", b"application/json"),
                ]
                await producer.send_and_wait(
                    prefix + topic, key=key.encode(), value=value, headers=headers
                )
    finally:
        await producer.stop()

    address = f"advisor-{run}@ki-unna.example"
    async with httpx.AsyncClient() as client:
        provider, advisor = await register(client, lotse["catalog"].url, run, address)
        offer = await post(
            client,
            f"{lotse['catalog'].url}/v1/offers",
            offer_body(f"Deutschkurs {run}", "language_course"),
            provider,
        )
        await post(
            client,
            f"{lotse['catalog'].url}/v1/needs",
            {"municipality": SCHWERTE, "age": 30, "categories": ["language_course"]},
            advisor,
        )
    [message] = await emails_to(inbox, address, 1, timeout=20)
    assert offer["title"]["de"] in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    for topic, poisoned in sent.items():
        parked = []
        for key, value, _ in poisoned:
            [record] = await read_topic(kafka_bootstrap, f"{prefix}{topic}.dlq", key)
            assert record.value == value, f"{topic}: the message must be parked unchanged"
            parked.append(headers_of(record))
        errors = [h["lotse_dlq_error"] for h in parked]
        assert "invalid" in errors[0] and "json" in errors[0].lower(), errors[0]
        assert "unknown event type 'lotse.something.exploded.v1'" in errors[1]
        assert "invalid lotse." in errors[2]
        for h in parked:
            assert h["lotse_dlq_topic"] == prefix + topic
            assert h["ce_source"] == "/poison", "the original headers travel along"
        group = parked[0]["lotse_dlq_group"]
        expected = "matching" if topic in ("lotse.offers", "lotse.needs") else "notifications"
        assert expected in group, (topic, group)
        last = max(parked, key=lambda h: int(h["lotse_dlq_offset"]))
        tp = TopicPartition(prefix + topic, int(last["lotse_dlq_partition"]))
        offset = int(last["lotse_dlq_offset"])
        assert await committed_beyond(kafka_bootstrap, group, tp, offset) > offset, (
            f"{group} did not commit past the poison on {topic}"
        )
