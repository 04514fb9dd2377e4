"""An offer and a need go in over HTTP; the advisor's inbox receives one email.

Kafka is read here with a plain aiokafka consumer and the CloudEvents SDK, not
with Lotse's code, the way another municipal system would read it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from tests.e2e.conftest import JWT_SECRET, Service

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

SCHWERTE = "05978028"


async def emails_to(
    inbox: Any, address: str, count: int, timeout: float
) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + timeout
    while True:
        found = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for raw, to in zip(inbox.messages, inbox.recipients, strict=True)
            if address in to
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found  # type: ignore[return-value]
        await asyncio.sleep(0.05)


async def read_topic(bootstrap: str, topic: str, key: str) -> list[Any]:
    """Every record under ``key`` in ``topic``, read from the beginning to the current end."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        numbers = await producer.partitions_for(topic)  # waits for the topic's metadata
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[Any] = []
        for tp, end in ends.items():
            while await consumer.position(tp) < end:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                found.extend(r for r in batch.get(tp, []) if r.key == key.encode())
        return found
    finally:
        await consumer.stop()


def as_cloudevent(record: Any) -> Any:
    headers = {k: v for k, v in record.headers}
    return from_binary(
        KafkaMessage(headers=headers, key=record.key, value=record.value), JSONFormat()
    )


def bearer(sub: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {JwtCodec(JWT_SECRET).issue(sub, role)}"}


ADMIN = bearer("ki-admin", Role.ADMIN)


def offer_body(title: str, category: str) -> dict[str, Any]:
    return {
        "title": {"de": title},
        "description": {"de": "Kurs"},
        "category": category,
        "location": {"municipality": SCHWERTE},
        "contact_email": "kurse@vhs.example",
    }


async def register(
    client: httpx.AsyncClient, catalog: str, run: str, address: str
) -> tuple[dict[str, str], dict[str, str]]:
    """A provider and an advisor of this run; returns their bearer headers."""
    await post(
        client,
        f"{catalog}/v1/providers",
        {"id": f"prov-{run}", "name": "VHS", "contact_email": "info@vhs.example"},
        ADMIN,
    )
    await post(
        client,
        f"{catalog}/v1/advisors",
        {"id": f"adv-{run}", "name": "Aylin Demir", "email": address, "organisation": "KI"},
        ADMIN,
    )
    return bearer(f"prov-{run}", Role.PROVIDER), bearer(f"adv-{run}", Role.ADVISOR)


async def post(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_an_offer_and_a_need_reach_the_advisor_as_one_email(
    lotse: dict[str, Service], smtp_server: tuple[int, Any], kafka_bootstrap: str
) -> None:
    _, inbox = smtp_server
    catalog = lotse["catalog"].url
    run = uuid.uuid4().hex[:8]
    address = f"advisor-{run}@ki-unna.example"
    advisor = {"id": f"adv-{run}"}
    async with httpx.AsyncClient() as client:
        provider, advisor_headers = await register(client, catalog, run, address)
        offer = await post(
            client,
            f"{catalog}/v1/offers",
            offer_body(f"Deutschkurs B1 {run}", "language_course"),
            provider,
        )
        started = time.monotonic()
        need = await post(
            client,
            f"{catalog}/v1/needs",
            {
                "municipality": SCHWERTE,
                "age": 30,
                "categories": ["language_course"],
                "case_reference": f"CASE-{run}",
            },
            advisor_headers,
        )
        [message] = await emails_to(inbox, address, 1, timeout=10)
        elapsed = time.monotonic() - started

    assert elapsed < 10
    assert need["reference"] in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert offer["title"]["de"] in text
    assert f"CASE-{run}" not in message.as_string()

    # Every topic carries valid binary-mode CloudEvents keyed by the aggregate id.
    expectations = [
        ("lotse.directory", advisor["id"], "lotse.advisor.registered.v1"),
        ("lotse.offers", offer["id"], "lotse.offer.published.v1"),
        ("lotse.needs", need["id"], "lotse.need.registered.v1"),
        ("lotse.matches", need["id"], "lotse.match.found.v1"),
        ("lotse.notifications", advisor["id"], "lotse.notification.sent.v1"),
    ]
    for topic, key, event_type in expectations:
        records = await read_topic(kafka_bootstrap, lotse["catalog"].topic_prefix + topic, key)
        assert records, f"nothing under key {key} in {topic}"
        event = as_cloudevent(records[0])
        assert event.get_type() == event_type
        assert event.get_specversion() == "1.0"
        assert event.get_source().startswith("/lotse/")
        assert event.get_id()
        assert dict(records[0].headers)["content-type"] == b"application/json"
        assert f"CASE-{run}" not in records[0].value.decode()
    [match_record] = await read_topic(
        kafka_bootstrap, lotse["catalog"].topic_prefix + "lotse.matches", need["id"]
    )
    match = json.loads(match_record.value)
    assert (match["need_id"], match["offer_id"]) == (need["id"], offer["id"])


async def test_a_match_event_delivered_twice_sends_one_email(
    lotse: dict[str, Service], smtp_server: tuple[int, Any], kafka_bootstrap: str
) -> None:
    _, inbox = smtp_server
    catalog = lotse["catalog"].url
    run = uuid.uuid4().hex[:8]
    address = f"advisor-{run}@ki-unna.example"
    async with httpx.AsyncClient() as client:
        provider, advisor_headers = await register(client, catalog, run, address)
        need = await post(
            client,
            f"{catalog}/v1/needs",
            {"municipality": SCHWERTE, "age": 30, "categories": ["counselling"]},
            advisor_headers,
        )
        await post(client, f"{catalog}/v1/offers", offer_body("Beratung", "counselling"), provider)
        assert len(await emails_to(inbox, address, 1, timeout=10)) == 1

        matches = lotse["catalog"].topic_prefix + "lotse.matches"
        [original] = await read_topic(kafka_bootstrap, matches, need["id"])
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(
                matches,
                key=original.key,
                value=original.value,
                headers=list(original.headers),
            )
        finally:
            await producer.stop()
        # A second offer for the same need lands on the same partition after the
        # duplicate, so its email proves the duplicate was consumed before it.
        await post(
            client, f"{catalog}/v1/offers", offer_body("Beratung 2", "counselling"), provider
        )
        emails = await emails_to(inbox, address, 3, timeout=10)

    assert (
        sorted(m["Subject"] for m in emails)
        == [f"Lotse: ein neues passendes Angebot für {need['reference']}"] * 2
    )
    assert len({m["Message-ID"] for m in emails}) == 2
