"""The review's news with fakes: one email per decision, the queue the KI hears of, one a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from lotse_notifications.domain.review import (
    Decided,
    KiDigest,
    OpenReport,
    ReviewDigest,
    WaitingReview,
    decision_email_id,
)
from lotse_notifications.service_layer.review_news import claim_review_emails, review_changed
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from services.notifications.tests.support import (
    START,
    closed,
    decided,
    dismissed,
    reported,
    submitted,
)

KI = KiDigest("ki@kreis-unna.example", 8, ZoneInfo("Europe/Berlin"))


class FakeReviews:
    def __init__(self) -> None:
        self.rows: dict[str, WaitingReview | None] = {}  # None: decided

    async def submitted(
        self, offer_id: str, provider_id: str, title: str, revision: int | None, at: datetime
    ) -> None:
        self.rows[offer_id] = WaitingReview(offer_id, provider_id, title, revision, at)

    async def decided(self, offer_id: str, revision: int | None, at: datetime) -> None:
        row = self.rows.get(offer_id)
        if row is not None and (revision is None or (row.revision or 0) <= revision):
            self.rows[offer_id] = None

    async def waiting(self) -> list[WaitingReview]:
        return sorted((r for r in self.rows.values() if r), key=lambda r: r.submitted_at)


class FakeReports:
    def __init__(self) -> None:
        self.rows: dict[str, OpenReport | None] = {}  # None: closed

    async def filed(self, report: OpenReport) -> None:
        self.rows.setdefault(report.report_id, report)

    async def closed(self, report_id: str, at: datetime) -> None:
        self.rows[report_id] = None

    async def open(self) -> list[OpenReport]:
        return sorted((r for r in self.rows.values() if r), key=lambda r: r.reported_at)


class FakeEmails:
    """The review's emails in memory; claims only the KI's, the ones whose content is late."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    async def add(self, values: dict[str, Any]) -> bool:
        if values["id"] in self.rows:
            return False
        self.rows[values["id"]] = dict(values)
        return True

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[Decided | ReviewDigest]:
        due = [
            r
            for r in self.rows.values()
            if r["kind"] == "review_digest" and r["status"] == "pending" and r["due_at"] <= now
        ]
        return [ReviewDigest(r["id"], r["recipient"], r["day"]) for r in due[:limit]]

    async def set(self, ids: Sequence[str], **values: Any) -> None:
        for i in ids:
            self.rows[i].update(values)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.reviews = FakeReviews()
        self.reports = FakeReports()
        self.review_emails = FakeEmails()


def fake() -> tuple[FakeUnitOfWork, UnitOfWork]:
    uow = FakeUnitOfWork()
    return uow, cast(UnitOfWork, uow)


async def test_a_decision_is_recorded_once_however_often_it_arrives() -> None:
    fakes, uow = fake()
    decision = decided(decision_id="decision-1", comment="Bitte Enddatum prüfen.")
    for _ in range(3):  # redelivered, or republished under another event id
        await review_changed(uow, decision, KI, START)
    [email] = fakes.review_emails.rows.values()
    assert email["id"] == decision_email_id("decision-1")
    assert (email["kind"], email["recipient"], email["comment"]) == (
        "changes_requested",
        "info@vhs-schwerte.example",
        "Bitte Enddatum prüfen.",
    )
    assert (email["status"], email["attempts"], email["due_at"]) == ("pending", 0, START)


async def test_each_decision_on_an_offer_brings_its_own_email() -> None:
    fakes, uow = fake()
    await review_changed(uow, decided("changes_requested", revision=1), KI, START)
    await review_changed(uow, decided("approved", revision=2, comment=None), KI, START)
    assert [e["kind"] for e in fakes.review_emails.rows.values()] == [
        "changes_requested",
        "approved",
    ]


async def test_a_change_request_from_a_report_keeps_its_reason() -> None:
    fakes, uow = fake()
    event = decided(revision=None, published_version=2, report_reason="wrong_dates")
    await review_changed(uow, event, KI, START)
    [email] = fakes.review_emails.rows.values()
    assert (email["revision"], email["published_version"], email["report_reason"]) == (
        None,
        2,
        "wrong_dates",
    )


async def test_a_submission_waits_and_plans_the_kis_email_for_the_next_hour_once() -> None:
    fakes, uow = fake()
    await review_changed(uow, submitted(offer_id="o-1"), KI, START)  # Tuesday 15:00 in Berlin
    await review_changed(uow, submitted(offer_id="o-2"), KI, START + timedelta(hours=2))
    [digest] = fakes.review_emails.rows.values()
    assert (digest["kind"], digest["recipient"], digest["day"]) == (
        "review_digest",
        "ki@kreis-unna.example",
        date(2026, 12, 2),
    )
    assert digest["due_at"] == datetime(2026, 12, 2, 7, 0, tzinfo=START.tzinfo)  # 08:00 CET
    assert [r.offer_id for r in await fakes.reviews.waiting()] == ["o-1", "o-2"]


async def test_without_the_kis_address_a_submission_only_waits() -> None:
    fakes, uow = fake()
    await review_changed(uow, submitted(), None, START)
    assert fakes.review_emails.rows == {}
    assert len(await fakes.reviews.waiting()) == 1


async def test_a_decision_ends_the_wait_but_not_for_a_newer_revision() -> None:
    fakes, uow = fake()
    await review_changed(uow, submitted(revision=2), KI, START)
    await review_changed(uow, decided(revision=1), KI, START)  # about an older revision
    assert len(await fakes.reviews.waiting()) == 1
    await review_changed(uow, decided("approved", revision=2), KI, START)
    assert await fakes.reviews.waiting() == []


async def test_a_days_email_with_nothing_left_waiting_is_cancelled_not_sent() -> None:
    fakes, uow = fake()
    await review_changed(uow, submitted(), KI, START)
    await review_changed(uow, decided("approved", comment=None), KI, START)
    claimed = await claim_review_emails(
        uow, START + timedelta(days=1), limit=10, lease=timedelta(minutes=2)
    )
    assert claimed == []
    statuses = {e["kind"]: e["status"] for e in fakes.review_emails.rows.values()}
    assert statuses["review_digest"] == "cancelled"


async def test_a_days_email_carries_what_waits_when_it_is_sent() -> None:
    _, uow = fake()
    await review_changed(uow, submitted(offer_id="o-1"), KI, START)
    later = START + timedelta(hours=3)
    await review_changed(uow, submitted(offer_id="o-2", at=later), KI, later)
    [digest] = await claim_review_emails(
        uow, START + timedelta(days=1), limit=10, lease=timedelta(minutes=2)
    )
    assert isinstance(digest, ReviewDigest)
    assert [w.offer_id for w in digest.waiting] == ["o-1", "o-2"]
    assert replace(digest, waiting=()) == ReviewDigest(digest.id, KI.email, date(2026, 12, 2))


async def test_a_revision_closed_without_a_decision_leaves_the_queue() -> None:
    fakes, uow = fake()
    await review_changed(uow, submitted(revision=1), KI, START)
    await review_changed(uow, closed(revision=1, reason="superseded"), KI, START)
    assert await fakes.reviews.waiting() == []
    assert [e["kind"] for e in fakes.review_emails.rows.values()] == ["review_digest"]  # no mail


async def test_an_open_report_waits_for_the_ki_until_dismissed_or_turned_into_a_request() -> None:
    fakes, uow = fake()
    await review_changed(uow, reported("r-1"), KI, START)
    await review_changed(uow, reported("r-2", at=START + timedelta(hours=1)), KI, START)
    await review_changed(uow, reported("r-1"), KI, START)  # news of it again
    assert [r.report_id for r in await fakes.reports.open()] == ["r-1", "r-2"]
    [digest] = fakes.review_emails.rows.values()
    assert digest["kind"] == "review_digest"  # a report alone brings the KI's email
    await review_changed(uow, dismissed("r-1"), KI, START)
    await review_changed(uow, decided(revision=None, report_reason="wrong_dates",
                                      report_id="r-2"), KI, START)  # fmt: skip
    assert await fakes.reports.open() == []


async def test_a_days_email_carries_the_open_reports_and_goes_out_for_them_alone() -> None:
    _, uow = fake()
    await review_changed(uow, reported("r-1"), KI, START)
    [digest] = await claim_review_emails(
        uow, START + timedelta(days=1), limit=10, lease=timedelta(minutes=2)
    )
    assert isinstance(digest, ReviewDigest)
    assert digest.waiting == () and [r.report_id for r in digest.reports] == ["r-1"]
    assert digest.reports[0].reason == "full_but_shown_free"
