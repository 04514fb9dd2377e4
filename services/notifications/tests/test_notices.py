"""A match that ends: news not yet sent is withdrawn; an advisor already told gets a short notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from lotse_notifications.bootstrap import Notifications
from services.notifications.tests.support import (
    Clock,
    advisor,
    deliver,
    deliveries,
    ended,
    match,
    parsed,
)


async def test_an_offer_that_fills_up_after_the_email_brings_a_notice(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = match(title="Integrationskurs Schwerte")
    await deliver(notifications, found)
    assert await notifications.send_due() == 1
    await deliver(notifications, ended(found, "full"))
    await deliver(notifications, ended(found, "full"))  # a second copy changes nothing
    assert await notifications.send_due() == 1
    assert await notifications.send_due() == 0
    message, text, html = parsed(inbox.messages[1])
    assert message["Subject"] == "Lotse: ein Angebot für UNN-7K3Q9X ist nicht mehr verfügbar"
    assert "Integrationskurs Schwerte" in text and "ausgebucht" in text
    assert "ausgebucht" in html
    assert [d["kind"] for d in await deliveries(notifications)] == [
        "match_found",
        "match_invalidated",
    ]


async def test_a_match_that_ends_before_its_email_is_never_mentioned(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    notifications.timing = replace(notifications.timing, window=timedelta(seconds=60))
    await deliver(notifications, advisor())
    gone, kept = match(title="Ausgebucht"), match(title="Bleibt")
    await deliver(notifications, gone)
    await deliver(notifications, kept)
    await deliver(notifications, ended(gone, "withdrawn"))
    clock.advance(seconds=60)
    assert await notifications.send_due() == 1
    [raw] = inbox.messages
    message, text, _ = parsed(raw)
    assert message["Subject"] == "Lotse: ein neues passendes Angebot für UNN-7K3Q9X"
    assert "Bleibt" in text and "Ausgebucht" not in text


async def test_better_offers_or_the_advisors_own_change_bring_no_notice(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = [match(), match(), match()]
    for m in found:
        await deliver(notifications, m)
    assert await notifications.send_due() == 1
    for m, reason in zip(found, ["outranked", "need_closed", "need_changed"], strict=True):
        await deliver(notifications, ended(m, reason))
    assert await notifications.send_due() == 0
    assert len(inbox.messages) == 1


async def test_a_match_that_ends_and_comes_back_before_its_email_is_sent_once(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    found = match()
    await deliver(notifications, found)
    await deliver(notifications, ended(found, "outranked"))
    await deliver(notifications, found, event_id="found-again")
    assert await notifications.send_due() == 1
    assert len(inbox.messages) == 1
    assert [d["status"] for d in await deliveries(notifications)] == ["sent"]


async def test_notices_and_new_matches_for_a_need_share_one_email(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor())
    first = match(title="Erster Kurs")
    await deliver(notifications, first)
    assert await notifications.send_due() == 1
    await deliver(notifications, ended(first, "withdrawn"))
    await deliver(notifications, match(title="Ersatzkurs"))
    assert await notifications.send_due() == 1
    message, text, _ = parsed(inbox.messages[1])
    assert message["Subject"] == "Lotse: ein neues passendes Angebot und ein Hinweis für UNN-7K3Q9X"
    assert text.index("Ersatzkurs") < text.index("Nicht mehr verfügbar:")
    assert "Erster Kurs (vhs-schwerte): zurückgezogen" in text  # no provider name known yet
