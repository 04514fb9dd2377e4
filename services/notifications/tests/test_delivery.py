"""Notifications sends one email per advisor and match over real SMTP, and retries what failed."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from lotse_notifications.bootstrap import Notifications
from lotse_notifications.domain.model import delivery_id_for
from lotse_notifications.entrypoints.api import send_forever
from lotse_notifications.entrypoints.subscribers import apply_consumed
from lotse_shared.envelope import Envelope, decode, encode
from services.notifications.tests.support import (
    Clock,
    advisor,
    deliver,
    deliveries,
    ended,
    match,
    outbox,
    parsed,
    provider,
)


async def test_a_match_becomes_one_readable_email_without_personal_data(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, provider())
    found = match(eligibility="self_payer_only")
    await deliver(notifications, found)
    assert await notifications.send_due() == 1

    [raw] = inbox.messages
    message, text, html = parsed(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "Aylin Demir <a.demir@ki-unna.example>"
    assert message["Subject"] == "Lotse: ein neues passendes Angebot für UNN-7K3Q9X"
    assert (
        message["Message-ID"]
        == f"<{delivery_id_for('adv-1', found.match_id, 'match_found')}@lotse>"
    )
    assert message["Date"] is not None and message["Date"].datetime is not None
    for part in (text, html):
        assert "Deutschkurs B1" in part and "VHS Schwerte" in part and "Schwerte" in part
        assert "11.01.2027" in part and "nur als Selbstzahlende" in part
        assert "Im Wohnort Schwerte" in part
        assert f"https://lotse.kreis-unna.example/matches/{found.match_id}" in part
    assert "need-UNN-7K3Q9X" not in raw.decode()  # the need's id stays internal
    [logged] = await deliveries(notifications)
    assert logged["status"] == "sent"


async def test_the_same_match_delivered_twice_sends_one_email(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found, event_id="e-1")
    await notifications.send_due()
    await deliver(notifications, found, event_id="e-1")  # redelivered by Kafka
    await deliver(notifications, found, event_id="e-2")  # republished by a relay after a crash
    await notifications.send_due()
    assert len(inbox.messages) == 1
    assert len(await deliveries(notifications)) == 1


async def test_a_match_for_an_advisor_not_yet_known_waits_for_the_directory(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, match())
    assert await notifications.send_due() == 0
    await deliver(notifications, advisor())
    assert await notifications.send_due() == 1
    assert len(inbox.messages) == 1


async def test_a_removed_advisor_gets_no_email(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match())
    await deliver(notifications, advisor(version=2, active=False))
    await deliver(notifications, advisor(version=1))  # an older state arriving late changes nothing
    await deliver(notifications, match())
    assert await notifications.send_due() == 0
    assert inbox.messages == []
    assert [d["status"] for d in await deliveries(notifications)] == ["cancelled", "pending"]


async def test_a_temporary_refusal_is_retried_with_backoff_and_not_lost(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match())
    inbox.reply = "451 try again later"
    assert await notifications.send_due() == 0
    clock.advance(seconds=1)
    assert await notifications.send_due() == 0
    [pending] = await deliveries(notifications)
    assert (pending["status"], pending["attempts"]) == ("pending", 2)
    assert "451" in pending["last_error"]

    inbox.reply = None
    clock.advance(seconds=1)
    assert await notifications.send_due() == 0  # the second retry waits two seconds
    clock.advance(seconds=1)
    assert await notifications.send_due() == 1
    assert len(inbox.messages) == 1


async def test_a_permanent_refusal_is_recorded_announced_and_not_retried(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    inbox.reply = "550 no such mailbox"
    await notifications.send_due()
    [failed] = await deliveries(notifications)
    assert failed["status"] == "failed" and "550" in failed["last_error"]
    [event] = await outbox(notifications)
    headers = dict((k, v) for k, v in event.headers)
    assert headers["ce_type"] == "lotse.notification.failed.v1"
    assert json.loads(event.value)["match_id"] == found.match_id
    assert "550" in json.loads(event.value)["error"]

    inbox.reply = None
    clock.advance(hours=1)
    assert await notifications.send_due() == 0
    assert inbox.messages == []


async def test_a_name_cannot_inject_headers(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor(name="Eve\r\nBcc: victim@example.org"))
    await deliver(notifications, match(title="Kurs\r\nBcc: other@example.org"))
    await notifications.send_due()
    [raw] = inbox.messages
    message, _, _ = parsed(raw)
    assert message["Bcc"] is None
    assert not message.defects
    assert inbox.recipients == [["a.demir@ki-unna.example"]]


async def test_a_sent_email_is_announced_on_the_notifications_topic(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    await notifications.send_due()
    [row] = await outbox(notifications)
    assert row.topic == "lotse.notifications" and row.key == "adv-1"
    assert json.loads(row.value) | {"sent_at": None} == {
        "notification_id": delivery_id_for("adv-1", found.match_id, "match_found"),
        "advisor_id": "adv-1",
        "match_id": found.match_id,
        "kind": "match_found",
        "sent_at": None,
    }


async def test_matches_for_one_need_found_together_share_one_email_best_first(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match(title="Abendkurs A2", score=0.6))
    await deliver(notifications, match(title="Integrationskurs", score=0.9))
    await deliver(notifications, match(reference="UNN-OTHER1", title="Beratung"))
    assert await notifications.send_due() == 2
    by_subject = {parsed(raw)[0]["Subject"]: parsed(raw)[1] for raw in inbox.messages}
    assert set(by_subject) == {
        "Lotse: 2 neue passende Angebote für UNN-7K3Q9X",
        "Lotse: ein neues passendes Angebot für UNN-OTHER1",
    }
    text = by_subject["Lotse: 2 neue passende Angebote für UNN-7K3Q9X"]
    assert text.index("1. Integrationskurs") < text.index("2. Abendkurs A2")
    assert {d["status"] for d in await deliveries(notifications)} == {"sent"}


async def test_an_email_waits_for_the_batching_window_to_close(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    notifications.timing = replace(notifications.timing, window=timedelta(seconds=60))
    await deliver(notifications, advisor())
    await deliver(notifications, match(title="Erster Kurs"))
    clock.advance(seconds=59)
    assert await notifications.send_due() == 0
    await deliver(notifications, match(title="Zweiter Kurs"))  # arrives as the window closes
    clock.advance(seconds=1)
    assert await notifications.send_due() == 1
    [raw] = inbox.messages
    message, text, _ = parsed(raw)
    assert message["Subject"] == "Lotse: 2 neue passende Angebote für UNN-7K3Q9X"
    assert "Erster Kurs" in text and "Zweiter Kurs" in text


def envelope(event: Any, event_id: str | None = None) -> Envelope:
    record = encode(event, source="/lotse/test", event_id=event_id)
    assert record.value is not None
    return decode(record.headers, record.value)


async def test_a_batch_is_applied_in_order_in_one_go_and_a_repeated_event_in_it_once(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    kept, gone = match(), match()
    await apply_consumed(
        notifications,
        [
            envelope(advisor()),
            envelope(kept, "f-1"),
            envelope(gone, "f-2"),
            envelope(kept, "f-1"),
            envelope(ended(gone), "e-2"),
        ],
    )
    statuses = {d["match_id"]: d["status"] for d in await deliveries(notifications)}
    assert statuses == {kept.match_id: "pending", gone.match_id: "cancelled"}
    assert await notifications.send_due() == 1
    assert len(inbox.messages) == 1


async def test_the_sender_rests_between_commits_instead_of_waking_itself(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    rounds = 0
    send_due = notifications.send_due

    async def counted() -> int:
        nonlocal rounds
        rounds += 1
        return await send_due()

    notifications.send_due = counted  # type: ignore[method-assign]
    notifications.idle_interval = 0.2
    sender = asyncio.create_task(send_forever(notifications))
    try:
        await asyncio.sleep(0.5)
        assert rounds <= 4, f"{rounds} rounds in 0.5 s: the sender woke itself"
        await deliver(notifications, advisor())
        await deliver(notifications, match())  # a consumer's commit wakes it at once
        await asyncio.sleep(0.1)
        assert len(inbox.messages) == 1
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
