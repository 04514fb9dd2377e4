"""Notifications sends one email per advisor and match over real SMTP, and retries what failed."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import select, update

from lotse_notifications.adapters import orm
from lotse_notifications.bootstrap import Notifications, bootstrap
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.service_layer import handlers
from lotse_shared.contracts import AdvisorRegistered, MatchFound, MatchReason, OfferSummary
from lotse_shared.envelope import decode, encode
from lotse_shared.migrations import upgrade


@pytest.fixture
async def notifications(
    database_url: str, smtp_server: tuple[int, Any]
) -> AsyncIterator[Notifications]:
    port, _ = smtp_server
    settings = NotificationsSettings(
        NOTIFICATIONS_DATABASE_URL=database_url,
        SMTP_PORT=port,
        MAIL_FROM="Lotse <lotse@ki-unna.example>",
    )
    notifications = bootstrap(settings)
    await upgrade(
        notifications.runtime.engine, str(resources.files("lotse_notifications") / "migrations")
    )
    yield notifications
    await notifications.runtime.engine.dispose()


def advisor(version: int = 1, active: bool = True, name: str = "Aylin Demir") -> AdvisorRegistered:
    return AdvisorRegistered(
        advisor_id="adv-1",
        name=name,
        email="a.demir@ki-unna.example",
        organisation="KI Kreis Unna",
        active=active,
        version=version,
        updated_at=datetime.now(UTC),
    )


def match(
    match_id: str | None = None,
    reference: str = "UNN-7K3Q9X",
    title: str = "Deutschkurs B1",
    score: float = 1.0,
) -> MatchFound:
    return MatchFound(
        match_id=match_id or str(uuid.uuid4()),
        need_id=f"need-{reference}",
        need_reference=reference,
        advisor_id="adv-1",
        offer_id="offer-1",
        offer=OfferSummary(title=title, category="language_course", municipality="05978028"),
        score=score,
        reasons=[
            MatchReason(
                code="category", de="Gewünschte Art: Sprachkurs", en="Wanted kind: language course"
            ),
            MatchReason(
                code="same_municipality", de="Im Wohnort Schwerte", en="In the home town Schwerte"
            ),
        ],
        found_at=datetime.now(UTC),
    )


async def deliver(notifications: Notifications, event: Any, event_id: str | None = None) -> None:
    record = encode(event, source="/lotse/test", event_id=event_id)
    assert record.value is not None
    await notifications.handle(decode(record.headers, record.value))


async def send(notifications: Notifications, window: timedelta = timedelta(0)) -> int:
    return await handlers.send_due(
        notifications.uow,
        notifications.mailer,
        sender="Lotse <lotse@ki-unna.example>",
        region=notifications.region,
        window=window,
    )


def parsed(raw: bytes) -> tuple[email.message.EmailMessage, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return message, body.get_content()


async def deliveries(notifications: Notifications) -> list[dict[str, Any]]:
    async with notifications.uow() as uow:
        return list(await uow.deliveries.all())


async def test_a_match_becomes_one_readable_email_without_personal_data(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    assert await send(notifications) == 1

    [raw] = inbox.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "Aylin Demir <a.demir@ki-unna.example>"
    assert "UNN-7K3Q9X" in message["Subject"]
    assert (
        message["Message-ID"]
        == f"<{handlers.delivery_id_for('adv-1', found.match_id, 'match_found')}@lotse>"
    )
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Deutschkurs B1" in text and "Schwerte" in text
    [logged] = await deliveries(notifications)
    assert logged["status"] == "sent"


async def test_the_same_match_delivered_twice_sends_one_email(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found, event_id="e-1")
    await send(notifications)
    await deliver(notifications, found, event_id="e-1")  # redelivered by Kafka
    await deliver(notifications, found, event_id="e-2")  # republished by a relay after a crash
    await send(notifications)
    assert len(inbox.messages) == 1
    assert len(await deliveries(notifications)) == 1


async def test_a_match_for_an_advisor_not_yet_known_waits_for_the_directory(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, match())
    assert await send(notifications) == 0
    await deliver(notifications, advisor())
    assert await send(notifications) == 1
    assert len(inbox.messages) == 1


async def test_a_removed_advisor_gets_no_email(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, advisor(version=2, active=False))
    await deliver(notifications, advisor(version=1))  # an older state arriving late changes nothing
    await deliver(notifications, match())
    assert await send(notifications) == 0
    assert inbox.messages == []


async def test_a_temporary_refusal_is_retried_later_and_not_lost(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match())
    inbox.reply = "451 try again later"
    assert await send(notifications) == 0
    [pending] = await deliveries(notifications)
    assert (pending["status"], pending["attempts"]) == ("pending", 1)
    assert "451" in pending["last_error"]

    inbox.reply = None
    assert await send(notifications) == 0  # not due yet: backoff
    async with notifications.runtime.engine.begin() as conn:
        await conn.execute(
            update(orm.deliveries).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await send(notifications) == 1
    assert len(inbox.messages) == 1


async def test_a_permanent_refusal_is_recorded_and_not_retried(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match())
    inbox.reply = "550 no such mailbox"
    await send(notifications)
    [failed] = await deliveries(notifications)
    assert failed["status"] == "failed" and "550" in failed["last_error"]
    inbox.reply = None
    async with notifications.runtime.engine.begin() as conn:
        await conn.execute(
            update(orm.deliveries).values(next_attempt_at=datetime.now(UTC) - timedelta(hours=1))
        )
    assert await send(notifications) == 0
    assert inbox.messages == []


async def test_a_name_cannot_inject_headers(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor(name="Eve\r\nBcc: victim@example.org"))
    await deliver(notifications, match())
    await send(notifications)
    [raw] = inbox.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None
    assert inbox.recipients == [["a.demir@ki-unna.example"]]


async def test_a_sent_email_is_announced_on_the_notifications_topic(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    await send(notifications)
    async with notifications.runtime.engine.connect() as conn:
        [row] = (await conn.execute(select(orm.outbox))).all()
    assert row.topic == "lotse.notifications" and row.key == "adv-1"
    assert found.match_id in row.value


async def test_matches_for_one_need_found_together_share_one_email_best_first(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match(title="Abendkurs A2", score=0.6))
    await deliver(notifications, match(title="Integrationskurs", score=0.9))
    await deliver(notifications, match(reference="UNN-OTHER1", title="Beratung"))
    assert await send(notifications) == 2
    by_subject = {parsed(raw)[0]["Subject"]: parsed(raw)[1] for raw in inbox.messages}
    assert set(by_subject) == {
        "Lotse: 2 neue passende Angebote für UNN-7K3Q9X",
        "Lotse: ein neues passendes Angebot für UNN-OTHER1",
    }
    text = by_subject["Lotse: 2 neue passende Angebote für UNN-7K3Q9X"]
    assert text.index("1. Integrationskurs") < text.index("2. Abendkurs A2")
    assert {d["status"] for d in await deliveries(notifications)} == {"sent"}


async def test_an_email_waits_for_the_batching_window_to_close(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    await deliver(notifications, match(title="Erster Kurs"))
    assert await send(notifications, window=timedelta(seconds=60)) == 0
    async with notifications.runtime.engine.begin() as conn:  # the first match is a minute old
        await conn.execute(
            update(orm.deliveries).values(created_at=datetime.now(UTC) - timedelta(seconds=61))
        )
    await deliver(notifications, match(title="Zweiter Kurs"))  # arrives as the window closes
    assert await send(notifications, window=timedelta(seconds=60)) == 1
    [raw] = inbox.messages
    message, text = parsed(raw)
    assert "2 neue passende Angebote" in message["Subject"]
    assert "Erster Kurs" in text and "Zweiter Kurs" in text
