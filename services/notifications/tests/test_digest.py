"""Advisors' preferences: a daily digest at their hour, a minimum score, and their language."""

from __future__ import annotations

from typing import Any

from lotse_notifications.bootstrap import Notifications
from services.notifications.tests.support import (
    Clock,
    advisor,
    deliver,
    deliveries,
    match,
    parsed,
)

DIGEST_AT_SEVEN = {"mode": "daily_digest", "digest_hour": 7}


async def test_the_daily_digest_gathers_a_days_matches_by_need_at_the_advisors_hour(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor(**DIGEST_AT_SEVEN))
    await deliver(notifications, match(reference="UNN-AAAAAA", title="Integrationskurs", score=0.7))
    clock.advance(hours=3)
    await deliver(notifications, match(reference="UNN-BBBBBB", title="Beratung", score=0.8))
    await deliver(notifications, match(reference="UNN-AAAAAA", title="Abendkurs", score=0.9))
    clock.advance(hours=10)  # 04:00 in Schwerte: not yet
    assert await notifications.send_due() == 0
    clock.advance(hours=2, minutes=59)  # 06:59
    assert await notifications.send_due() == 0
    clock.advance(minutes=1)  # 07:00 Europe/Berlin is 06:00 UTC in winter
    assert clock.now.hour == 6
    assert await notifications.send_due() == 1

    [raw] = inbox.messages
    message, text, html = parsed(raw)
    assert message["Subject"] == (
        "Lotse-Tagesübersicht: 3 neue passende Angebote für UNN-AAAAAA, UNN-BBBBBB"
    )
    assert "Tagesübersicht" in text and "Tagesübersicht" in html
    first, second = text.index("Bedarf UNN-AAAAAA"), text.index("Bedarf UNN-BBBBBB")
    assert first < text.index("1. Abendkurs") < text.index("2. Integrationskurs") < second
    assert second < text.index("1. Beratung")
    assert {d["status"] for d in await deliveries(notifications)} == {"sent"}


async def test_a_day_without_news_sends_no_digest(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor(**DIGEST_AT_SEVEN))
    await deliver(notifications, match())
    clock.advance(hours=16)  # the next morning's digest
    assert await notifications.send_due() == 1
    clock.advance(days=1)
    assert await notifications.send_due() == 0
    await deliver(notifications, match(title="Neu am Morgen"))
    clock.advance(hours=12)  # 19:00, right after the digest: waits for the morning after
    assert await notifications.send_due() == 0
    clock.advance(hours=12)
    assert await notifications.send_due() == 1
    assert len(inbox.messages) == 2
    assert "Neu am Morgen" in parsed(inbox.messages[1])[1]


async def test_changing_to_a_digest_holds_back_news_not_yet_sent(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, match())  # before the directory knows the advisor
    await deliver(notifications, advisor(**DIGEST_AT_SEVEN))
    assert await notifications.send_due() == 0
    await deliver(notifications, advisor(version=2, mode="immediate"))
    assert await notifications.send_due() == 1
    assert len(inbox.messages) == 1


async def test_matches_below_the_advisors_minimum_score_are_not_emailed(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, match(title="Schwach vorher", score=0.3))
    await deliver(notifications, advisor(min_score=0.5))
    await deliver(notifications, match(title="Schwach", score=0.49))
    await deliver(notifications, match(title="Gut", score=0.5))
    assert await notifications.send_due() == 1
    [raw] = inbox.messages
    _, text, _ = parsed(raw)
    assert "Gut" in text and "Schwach" not in text
    statuses = sorted(d["status"] for d in await deliveries(notifications))
    assert statuses == ["sent", "suppressed", "suppressed"]


async def test_an_advisor_who_reads_english_gets_english(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, advisor(language="en"))
    await deliver(notifications, match(score=0.82, eligibility="check_required"))
    await deliver(notifications, match(title="Second course", score=0.5))
    assert await notifications.send_due() == 1
    message, text, html = parsed(inbox.messages[0])
    assert message["Subject"] == "Lotse: 2 new matching offers for UNN-7K3Q9X"
    assert message["Content-Language"] == "en"
    assert text.startswith("Hello Aylin Demir,")
    assert "In the home town Schwerte" in text and "Im Wohnort" not in text
    assert "please check the requirements" in text and "2027-01-11" in text
    assert "Fit: 82 %" in text
    assert '<html lang="en">' in html and "Why it fits" in html
