"""A need's tombstone: its pending news is cancelled and the delivery log forgets which need it was."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from lotse_notifications.adapters import orm
from lotse_notifications.bootstrap import Notifications
from lotse_notifications.domain.model import ERASED
from lotse_notifications.entrypoints.api import create_app
from lotse_notifications.entrypoints.subscribers import apply_consumed, build_broker, consumer_for
from lotse_shared.consumer import EventConsumer
from lotse_shared.contracts import TOPICS, NeedRegistered
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import Envelope, Tombstone, decode, encode
from services.notifications.tests.support import advisor, deliver, deliveries, ended, match
from services.notifications.tests.test_api import bearer
from shared.tests.kafka_fakes import Producer, Record

NEEDS = "lotse.needs"


async def traces_of(notifications: Notifications, *needles: str) -> list[tuple[str, str]]:
    """(table, column) of every text value in the store that holds one of ``needles``."""
    found: list[tuple[str, str]] = []
    async with notifications.runtime.engine.connect() as conn:
        for table in orm.metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                for column in table.columns:
                    value = row._mapping[column.name]  # JSON and dates as their text, too
                    if value is not None and any(n in str(value) for n in needles):
                        found.append((table.name, column.name))
    return found


async def test_erasing_a_need_cancels_its_pending_news_and_forgets_which_need_it_was(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    told = match(title="Deutschkurs B1").model_copy(update={"need_id": "need-1"})
    await deliver(notifications, told)
    assert await notifications.send_due() == 1
    waiting = match(title="Deutschkurs B2").model_copy(update={"need_id": "need-1"})
    other_need = match(reference="UNN-OTHER1", title="Deutschkurs A1")
    await deliver(notifications, waiting)
    await deliver(notifications, other_need)

    await apply_consumed(notifications, [Tombstone(NEEDS, told.need_id)])

    assert await notifications.send_due() == 1  # the other need's email, nothing of the erased one
    assert len(inbox.messages) == 2 and b"Deutschkurs A1" in inbox.messages[1]
    rows = {r["offer_title"]: r for r in await deliveries(notifications)}
    assert rows["Deutschkurs B1"]["status"] == "sent"
    assert rows["Deutschkurs B2"]["status"] == "cancelled"
    for title in ("Deutschkurs B1", "Deutschkurs B2"):
        row = rows[title]
        assert (row["need_id"], row["need_reference"], row["group_key"]) == (None, None, ERASED)
        assert (row["reasons"], row["eligibility"]) == ([], None)
    kept = rows["Deutschkurs A1"]
    assert (kept["need_id"], kept["need_reference"], kept["status"]) == (
        other_need.need_id,
        "UNN-OTHER1",
        "sent",
    )
    # The need's id stays only as erased; its reference nowhere.
    assert await traces_of(notifications, told.need_id) == [("erased_needs", "need_id")]
    assert await traces_of(notifications, told.need_reference) == []


async def test_the_delivery_log_shows_no_reference_for_an_erased_need(
    notifications: Notifications,
) -> None:
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    assert await notifications.send_due() == 1
    await apply_consumed(notifications, [Tombstone(NEEDS, found.need_id)])

    transport = httpx.ASGITransport(app=create_app(notifications))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as api:
        response = await api.get("/v1/notifications", headers=bearer("advisor", "adv-1"))
    assert response.status_code == 200
    [entry] = response.json()
    assert (entry["need_reference"], entry["status"], entry["kind"]) == (
        None,
        "sent",
        "match_found",
    )
    assert found.need_id not in response.text and found.need_reference not in response.text


async def test_match_news_arriving_after_the_erasure_is_not_recorded(
    notifications: Notifications,
) -> None:
    await deliver(notifications, advisor())
    late = match()
    await apply_consumed(notifications, [Tombstone(NEEDS, late.need_id)])
    await deliver(notifications, late)
    await deliver(notifications, ended(late, "full"))
    assert await deliveries(notifications) == []
    assert await notifications.send_due() == 0


async def test_matchings_word_that_a_need_was_erased_erases_it_before_the_tombstone_arrives(
    notifications: Notifications,
) -> None:
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    await deliver(notifications, ended(found, "erased"))
    [row] = await deliveries(notifications)
    assert (row["status"], row["need_id"], row["need_reference"]) == ("cancelled", None, None)

    await apply_consumed(
        notifications, [Tombstone(NEEDS, found.need_id)]
    )  # the tombstone, later: nothing more to do
    assert await deliveries(notifications) == [row]
    assert await notifications.send_due() == 0


async def test_a_delivery_being_sent_during_the_erasure_is_recorded_but_never_tried_again(
    notifications: Notifications,
) -> None:
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    async with notifications.uow() as uow:  # the sender's claim, then the erasure in between
        [(_, group, _)] = await uow.deliveries.claim_due(
            notifications.clock(), limit=10, lease=timedelta(minutes=2)
        )
        await uow.commit()
    await apply_consumed(notifications, [Tombstone(NEEDS, found.need_id)])
    [row] = await deliveries(notifications)
    assert row["status"] == "cancelled" and row["need_reference"] is None
    assert [d.need_reference for d in group] == [found.need_reference]  # already on its way


async def test_a_need_tombstone_in_a_batch_takes_effect_between_the_events_around_it(
    notifications: Notifications,
) -> None:
    await deliver(notifications, advisor())
    before, after = match(title="Vorher"), match(title="Nachher")
    await apply_consumed(
        notifications, [envelope(before), Tombstone(NEEDS, before.need_id), envelope(after)]
    )
    [row] = await deliveries(notifications)
    assert (row["offer_title"], row["status"], row["need_reference"]) == (
        "Vorher",
        "cancelled",
        None,
    )


def envelope(event: Any) -> Envelope:
    record = encode(event, source="/lotse/test")
    assert record.value is not None
    return decode(record.headers, record.value)


def consumer_of(notifications: Notifications, producer: Producer) -> EventConsumer:
    return consumer_for(notifications, producer, "notifications-test")  # type: ignore[arg-type]


async def test_a_need_tombstone_without_a_key_goes_to_the_dead_letter_topic(
    notifications: Notifications,
) -> None:
    producer = Producer()
    await consumer_of(notifications, producer).process([Record(NEEDS, None, key=None)])  # type: ignore[list-item]
    [parked] = producer.sent
    assert parked["topic"] == "lotse.needs.dlq"
    assert b"need id" in dict(parked["headers"])["lotse_dlq_error"]


async def test_a_needs_own_events_change_nothing_in_notifications(
    notifications: Notifications,
) -> None:
    producer = Producer()
    registered = EXAMPLES["lotse.need.registered.v1"]
    assert isinstance(registered, NeedRegistered)
    record = encode(registered, source="/lotse/catalog")
    await consumer_of(notifications, producer).process(
        [Record(NEEDS, record.value, record.headers, key=record.key)]  # type: ignore[list-item]
    )
    assert producer.sent == []
    async with notifications.runtime.engine.connect() as conn:
        assert (await conn.execute(select(orm.inbox))).all() == []


def test_notifications_subscribes_to_the_topics_the_registry_names_it_consumer_of(
    notifications: Notifications,
) -> None:
    broker = build_broker(notifications)
    subscribed = {name for s in broker.subscribers for name in s.topic_names}
    assert subscribed == {t.name for t in TOPICS if "notifications" in t.consumers}
