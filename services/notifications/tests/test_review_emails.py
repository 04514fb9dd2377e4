"""The review's emails over real SMTP: one per decision to the provider's role mailbox, with the
guarantees advisors' emails have, and the KI's daily list when something waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from lotse_notifications.bootstrap import Notifications, bootstrap
from lotse_notifications.domain.review import decision_email_id
from lotse_notifications.entrypoints.api import create_app
from services.notifications.tests.support import (
    COMMENT,
    Clock,
    decided,
    deliver,
    dismissed,
    outbox,
    parsed,
    provider,
    reported,
    review_emails,
    submitted,
)
from services.notifications.tests.test_api import bearer


async def test_a_change_request_becomes_one_email_to_the_role_mailbox_with_the_comment(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, provider())
    request = decided("changes_requested", revision=2, decision_id="decision-1")
    await deliver(notifications, request, event_id="e-1")
    assert await notifications.send_due() == 1

    [raw] = inbox.messages
    assert inbox.recipients == [["info@vhs-schwerte.example"]]
    message, text, html = parsed(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "VHS Schwerte <info@vhs-schwerte.example>"
    assert message["Reply-To"] == "ki@kreis-unna.example"
    assert message["Subject"] == (
        "Lotse: Bitte überarbeiten Sie „Integrationskurs allgemein“ / Please revise your offer"
    )
    assert message["Message-ID"] == f"<{decision_email_id('decision-1')}@lotse>"
    assert message["Content-Language"] == "de, en"
    assert text.index("Guten Tag,") < text.index("Hello,")
    for part in (text, html):
        assert "Anmerkung des KI:" in part and "The KI's comment:" in part.replace("&#39;", "'")
        assert "bittet Sie um Änderungen" in part and "asks you for changes" in part
    assert "  Bitte das Enddatum prüfen: der Kurs endet laut Flyer am 30.07." in text
    assert f">{COMMENT}</blockquote>" in html
    assert '<div lang="en"' in html

    await deliver(notifications, request, event_id="e-1")  # redelivered by Kafka
    await deliver(notifications, request, event_id="e-2")  # republished after a relay's crash
    assert await notifications.send_due() == 0
    assert len(inbox.messages) == 1
    [logged] = await review_emails(notifications)
    assert (logged["kind"], logged["status"], logged["recipient"]) == (
        "changes_requested",
        "sent",
        "info@vhs-schwerte.example",
    )
    assert await outbox(notifications) == []  # lotse.notifications tells of advisors' emails


async def test_a_report_turned_into_a_change_request_tells_the_provider_why(
    notifications: Notifications, smtp_server: tuple[int, Any]
) -> None:
    _, inbox = smtp_server
    report = decided(
        revision=None, published_version=3, report_reason="wrong_dates", comment="Start 11.01."
    )
    await deliver(notifications, report)
    assert await notifications.send_due() == 1
    message, text, html = parsed(inbox.messages[0])
    assert message["Subject"].startswith("Lotse: Hinweis zu „Integrationskurs allgemein“")
    assert message["To"] == "info@vhs-schwerte.example"  # no name known: the mailbox alone
    words = " ".join(text.split())  # as read, whatever the lines' wrapping
    assert "ein Problem gemeldet: falsche Termine." in words and ": wrong dates." in words
    assert "Fassung:" not in text and "Start 11.01." in html


@pytest.mark.parametrize(
    ("verdict", "subject"),
    [
        (
            "approved",
            "Lotse: „Integrationskurs allgemein“ ist freigegeben / Your offer is approved",
        ),
        (
            "rejected",
            "Lotse: „Integrationskurs allgemein“ ist nicht freigegeben / "
            "Your offer was not approved",
        ),
    ],
)
async def test_an_approval_and_a_rejection_each_bring_their_email(
    notifications: Notifications, smtp_server: tuple[int, Any], verdict: str, subject: str
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, submitted())
    await deliver(notifications, decided(verdict))
    assert await notifications.send_due() == 1
    assert parsed(inbox.messages[0])[0]["Subject"] == subject


async def test_a_temporary_refusal_is_retried_with_backoff_and_a_permanent_one_is_not(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, decided())
    inbox.reply = "451 try again later"
    assert await notifications.send_due() == 0
    [pending] = await review_emails(notifications)
    assert (pending["status"], pending["attempts"]) == ("pending", 1)
    assert "451" in pending["last_error"] and pending["last_failed_at"] is not None
    inbox.reply = None
    assert await notifications.send_due() == 0  # the first retry waits a second
    clock.advance(seconds=1)
    assert await notifications.send_due() == 1

    await deliver(notifications, decided("rejected"))
    inbox.reply = "550 no such mailbox"
    assert await notifications.send_due() == 0
    inbox.reply = None
    clock.advance(hours=1)
    assert await notifications.send_due() == 0
    assert len(inbox.messages) == 1
    statuses = {
        e["kind"]: (e["status"], e["last_error"]) for e in await review_emails(notifications)
    }
    assert statuses["changes_requested"] == ("sent", "451 try again later")
    assert statuses["rejected"][0] == "failed" and "550" in statuses["rejected"][1]


@pytest.fixture
async def api(notifications: Notifications) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(notifications))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as client:
        yield client


async def test_the_review_emails_log_shows_a_provider_its_own_and_the_ki_all(
    notifications: Notifications, api: httpx.AsyncClient
) -> None:
    await deliver(notifications, decided(title="Eigenes Angebot"))
    other = decided(offer_id="offer-2", title="Fremdes Angebot").model_copy(
        update={"provider_id": "awo-unna"}
    )
    await deliver(notifications, other)
    assert await notifications.send_due() == 2

    own = await api.get("/v1/review-emails", headers=bearer("provider", "vhs-schwerte"))
    assert own.status_code == 200, own.text
    [entry] = own.json()
    assert (entry["title"], entry["kind"], entry["status"]) == (
        "Eigenes Angebot",
        "changes_requested",
        "sent",
    )
    assert entry["sent_at"] is not None and "comment" not in entry
    everyone = await api.get("/v1/review-emails?status=sent", headers=bearer("admin", "ki"))
    assert sorted(e["provider_id"] for e in everyone.json()) == ["awo-unna", "vhs-schwerte"]
    advisor = await api.get("/v1/review-emails", headers=bearer("advisor", "adv-1"))
    assert advisor.status_code == 403
    assert (await api.get("/v1/review-emails")).status_code == 401


# --- The KI's daily email --------------------------------------------------------------------
# START is Tuesday 15:00 in Schwerte; the KI's hour is 08:00 (07:00 UTC in winter).


async def test_the_ki_hears_each_morning_what_waits_and_nothing_once_it_was_decided(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, provider())
    await deliver(notifications, submitted(revision=2, at=clock.now))
    clock.advance(hours=16, minutes=59)  # Wednesday 07:59
    assert await notifications.send_due() == 0
    clock.advance(minutes=1)
    assert await notifications.send_due() == 1
    assert await notifications.send_due() == 0  # once a day

    message, text, html = parsed(inbox.messages[0])
    assert inbox.recipients == [["ki@kreis-unna.example"]]
    assert message["Subject"] == "Lotse: ein Angebot wartet auf Prüfung"
    for part in (text, html):
        assert "Integrationskurs allgemein" in part and "Anbieter: VHS Schwerte" in part
        assert "Fassung 2, eingereicht am 01.12.2026 um 15:00 Uhr" in part
        assert "wartet seit 17 Stunden" in part

    clock.advance(days=1)  # Thursday 08:00: it still waits
    assert await notifications.send_due() == 1
    assert "wartet seit einem Tag" in parsed(inbox.messages[1])[1]

    await deliver(notifications, decided("approved", revision=2, comment=None))
    assert await notifications.send_due() == 1  # the provider's email
    clock.advance(days=1)
    assert await notifications.send_due() == 0  # Friday: nothing waits, no email
    kinds = [(e["kind"], e["status"]) for e in await review_emails(notifications)]
    assert kinds.count(("review_digest", "sent")) == 2 and ("approved", "sent") in kinds
    assert len(inbox.messages) == 3


async def test_the_kis_morning_email_lists_open_reports_by_reason_and_drops_them_once_decided(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, provider())
    await deliver(notifications, submitted(revision=2, at=clock.now))
    await deliver(notifications, reported("r-1", at=clock.now + timedelta(minutes=30)))
    clock.advance(hours=17)  # Wednesday 08:00
    assert await notifications.send_due() == 1
    message, text, html = parsed(inbox.messages[0])
    assert message["Subject"] == (
        "Lotse: ein Angebot wartet auf Prüfung, eine Problemmeldung ist offen"
    )
    for part in (text, html):
        assert "Aus der Beratung ist eine Problemmeldung offen" in part
        assert "Ausgebucht, aber mit freien Plätzen angezeigt" in part
        assert "gemeldet am 01.12.2026 um 15:30 Uhr" in part
    await deliver(notifications, decided("approved", revision=2, comment=None))
    assert await notifications.send_due() == 1  # the provider's email
    clock.advance(days=1)
    assert await notifications.send_due() == 1  # the report alone still waits
    message, text, _ = parsed(inbox.messages[2])
    assert message["Subject"] == "Lotse: eine Problemmeldung ist offen"
    assert "wartet auf Ihre Prüfung" not in text
    await deliver(notifications, dismissed("r-1"))
    clock.advance(days=1)
    assert await notifications.send_due() == 0  # nothing left: no email
    assert len(inbox.messages) == 3


async def test_no_email_to_the_ki_when_nothing_waits(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    await deliver(notifications, submitted())
    await deliver(notifications, decided("approved", comment=None))  # decided the same afternoon
    assert await notifications.send_due() == 1  # the provider's email
    for _ in range(3):
        clock.advance(days=1)
        assert await notifications.send_due() == 0
    assert inbox.recipients == [["info@vhs-schwerte.example"]]
    digests = [e for e in await review_emails(notifications) if e["kind"] == "review_digest"]
    assert [e["status"] for e in digests] == ["cancelled"]


async def test_without_the_kis_address_no_daily_email(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    notifications.ki_digest = None
    await deliver(notifications, submitted())
    clock.advance(days=1)
    assert await notifications.send_due() == 0
    assert inbox.messages == [] and await review_emails(notifications) == []


async def test_what_waited_before_the_kis_address_was_set_is_listed_the_next_morning(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    ki, notifications.ki_digest = notifications.ki_digest, None
    await deliver(notifications, submitted())
    notifications.ki_digest = ki  # as after a restart with NOTIFICATIONS_KI_EMAIL set
    assert await notifications.send_due() == 0
    clock.advance(hours=17)
    assert await notifications.send_due() == 1
    assert inbox.recipients == [["ki@kreis-unna.example"]]


async def test_two_instances_send_the_days_email_once(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    _, inbox = smtp_server
    other = bootstrap(notifications.settings, clock=clock)
    try:
        await deliver(notifications, submitted(offer_id="o-1"))
        await deliver(other, submitted(offer_id="o-2", title="Sprachcafé"))
        clock.advance(hours=17)
        assert sum(await asyncio.gather(other.send_due(), notifications.send_due())) == 1
        assert sum(await asyncio.gather(other.send_due(), notifications.send_due())) == 0
    finally:
        await other.mailer.close()  # type: ignore[attr-defined]
        await other.runtime.engine.dispose()
    [raw] = inbox.messages
    message, text, _ = parsed(raw)
    assert message["Subject"] == "Lotse: 2 Angebote warten auf Prüfung"
    assert text.index("1. Integrationskurs allgemein") < text.index("2. Sprachcafé")


async def test_a_redelivered_submission_plans_nothing_more(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> None:
    event = submitted()
    await deliver(notifications, event, event_id="s-1")
    await deliver(notifications, event, event_id="s-1")
    await deliver(notifications, event, event_id="s-2")
    rows = await review_emails(notifications)
    assert [(r["kind"], r["status"], r["day"]) for r in rows] == [
        ("review_digest", "pending", date(2026, 12, 2))
    ]
