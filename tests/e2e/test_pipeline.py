"""An offer and a need go in over HTTP; the advisor's inbox receives one email.

Kafka is read here with a plain aiokafka consumer and the CloudEvents SDK, not
with Lotse's code, the way another municipal system would read it.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from lotse_shared.observability import trace_id_of
from tests.processes import (
    SCHWERTE,
    Service,
    emails_to,
    offer_body,
    post,
    read_topic,
    register,
)

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def as_cloudevent(record: Any) -> Any:
    headers = {k: v for k, v in record.headers}
    return from_binary(
        KafkaMessage(headers=headers, key=record.key, value=record.value), JSONFormat()
    )


async def test_an_offer_and_a_need_reach_the_advisor_as_one_email(
    lotse: dict[str, Service], smtp_server: tuple[int, Any], kafka_bootstrap: str
) -> None:
    _, inbox = smtp_server
    catalog = lotse["catalog"].url
    run = uuid.uuid4().hex[:8]
    trace_id = uuid.uuid4().hex
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
            advisor_headers | {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
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

    # One trace from the advisor's request through catalog, Kafka, matching and notifications.
    [need_record] = await read_topic(
        kafka_bootstrap, lotse["catalog"].topic_prefix + "lotse.needs", need["id"]
    )
    for record in (need_record, match_record):
        assert trace_id_of(dict(record.headers)["ce_traceparent"].decode()) == trace_id
    logged = [json.loads(line) for line in lotse["notifications"].log.read_text().splitlines()]
    traced = [e for e in logged if e.get("trace_id") == trace_id]
    assert any(match["match_id"] in e["message"] for e in traced), "notifications logged it"
    assert all(e["service"] == "lotse-notifications" for e in logged)


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
