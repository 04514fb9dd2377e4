"""What the notifications tests share: events as the other services publish them, a clock, and readers."""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from lotse_notifications.adapters import orm
from lotse_notifications.bootstrap import Notifications
from lotse_notifications.entrypoints.subscribers import apply_consumed
from lotse_shared.contracts import (
    AdvisorRegistered,
    MatchFound,
    MatchInvalidated,
    MatchReason,
    OfferReportDismissed,
    OfferReportFiled,
    OfferReviewApproved,
    OfferReviewChangesRequested,
    OfferReviewClosed,
    OfferReviewDecision,
    OfferReviewRejected,
    OfferReviewSubmitted,
    OfferSummary,
    ProviderRegistered,
)
from lotse_shared.envelope import decode, encode

# A Tuesday afternoon in Schwerte (15:00 CET).
START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The service's clock, moved by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def advisor(
    version: int = 1,
    active: bool = True,
    name: str = "Aylin Demir",
    language: str = "de",
    **preference: Any,
) -> AdvisorRegistered:
    return AdvisorRegistered.model_validate(
        {
            "advisor_id": "adv-1",
            "name": name,
            "email": "a.demir@ki-unna.example",
            "organisation": "KI Kreis Unna",
            "language": language,
            "notifications": preference,
            "active": active,
            "version": version,
            "updated_at": datetime.now(UTC),
        }
    )


def provider() -> ProviderRegistered:
    return ProviderRegistered(
        provider_id="vhs-schwerte",
        name="VHS Schwerte",
        contact_email="info@vhs-schwerte.example",
        version=1,
        updated_at=datetime.now(UTC),
    )


def match(
    match_id: str | None = None,
    reference: str = "UNN-7K3Q9X",
    title: str = "Deutschkurs B1",
    score: float = 1.0,
    eligibility: str = "eligible",
) -> MatchFound:
    return MatchFound.model_validate(
        {
            "match_id": match_id or str(uuid.uuid4()),
            "need_id": f"need-{reference}",
            "need_reference": reference,
            "advisor_id": "adv-1",
            "offer_id": "offer-1",
            "offer": OfferSummary(
                title=title,
                category="language_course",
                municipality="05978028",
                provider_id="vhs-schwerte",
                start_date="2027-01-11",
                contact_email="kurse@vhs-schwerte.example",
            ),
            "score": score,
            "reasons": [
                MatchReason(
                    code="category",
                    de="Gewünschte Art: Sprachkurs",
                    en="Wanted kind: language course",
                ),
                MatchReason(
                    code="same_municipality",
                    de="Im Wohnort Schwerte",
                    en="In the home town Schwerte",
                ),
            ],
            "eligibility": eligibility,
            "found_at": datetime.now(UTC),
        }
    )


def ended(found: MatchFound, reason: str = "full") -> MatchInvalidated:
    return MatchInvalidated.model_validate(
        {
            "match_id": found.match_id,
            "need_id": found.need_id,
            "need_reference": found.need_reference,
            "advisor_id": found.advisor_id,
            "offer_id": found.offer_id,
            "reason": reason,
            "invalidated_at": datetime.now(UTC),
        }
    )


OFFER_ID = "9d1c7e3a-4b2f-4c8e-a5d6-7f0e1b2c3d4e"
COMMENT = "Bitte das Enddatum prüfen: der Kurs endet laut Flyer am 30.07."
DECISIONS: dict[str, type[OfferReviewDecision]] = {
    "changes_requested": OfferReviewChangesRequested,
    "approved": OfferReviewApproved,
    "rejected": OfferReviewRejected,
}


def submitted(
    offer_id: str = OFFER_ID,
    revision: int = 1,
    title: str = "Integrationskurs allgemein",
    at: datetime = START,
    published_version: int | None = None,
) -> OfferReviewSubmitted:
    """A provider's revision submitted for review, as the catalog publishes it."""
    return OfferReviewSubmitted(
        offer_id=offer_id,
        provider_id="vhs-schwerte",
        revision=revision,
        published_version=published_version,
        title=title,
        contact_email="info@vhs-schwerte.example",
        submitted_at=at,
    )


def decided(
    verdict: str = "changes_requested",
    *,
    offer_id: str = OFFER_ID,
    revision: int | None = 1,
    comment: str | None = COMMENT,
    decision_id: str | None = None,
    published_version: int | None = None,
    title: str = "Integrationskurs allgemein",
    report_reason: str | None = None,
    report_id: str | None = None,
    at: datetime = START,
) -> OfferReviewDecision:
    """A coordinator's decision on a revision (or, with ``report_reason``, on a report)."""
    extra: dict[str, Any] = {"report_reason": report_reason} if report_reason else {}
    if report_id:
        extra["report_id"] = report_id
    return DECISIONS[verdict].model_validate(
        {
            "offer_id": offer_id,
            "provider_id": "vhs-schwerte",
            "revision": revision,
            "published_version": published_version,
            "title": title,
            "contact_email": "info@vhs-schwerte.example",
            "decision_id": decision_id or str(uuid.uuid4()),
            "comment": comment,
            "decided_at": at,
            **extra,
        }
    )


async def deliver(notifications: Notifications, event: Any, event_id: str | None = None) -> None:
    """Hand ``event`` to the service as its consumer would, through the envelope."""
    record = encode(event, source="/lotse/test", event_id=event_id)
    assert record.value is not None
    await apply_consumed(notifications, [decode(record.headers, record.value)])


def parsed(raw: bytes) -> tuple[EmailMessage, str, str]:
    """The message as Python's email parser reads it, with its plain text and HTML parts."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text, html = (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    assert text is not None and html is not None
    return message, text.get_content(), html.get_content()


async def deliveries(notifications: Notifications) -> list[dict[str, Any]]:
    async with notifications.runtime.engine.connect() as conn:
        rows = await conn.execute(select(orm.deliveries).order_by(orm.deliveries.c.created_at))
        return [r._asdict() for r in rows]


async def review_emails(notifications: Notifications) -> list[dict[str, Any]]:
    async with notifications.runtime.engine.connect() as conn:
        e = orm.review_emails
        rows = await conn.execute(select(e).order_by(e.c.created_at, e.c.id))
        return [r._asdict() for r in rows]


async def outbox(notifications: Notifications) -> list[Any]:
    async with notifications.runtime.engine.connect() as conn:
        return list((await conn.execute(select(orm.outbox).order_by(orm.outbox.c.id))).all())


def _about_the_offer(offer_id: str, revision: int | None) -> dict[str, Any]:
    return {"offer_id": offer_id, "provider_id": "vhs-schwerte", "revision": revision,
            "published_version": 1 if revision is None else None,
            "title": "Integrationskurs allgemein", "contact_email": "info@vhs-schwerte.example"}  # fmt: skip


def closed(
    offer_id: str = OFFER_ID, revision: int = 1, reason: str = "superseded", at: datetime = START
) -> OfferReviewClosed:
    """A revision that stopped waiting without a decision."""
    return OfferReviewClosed.model_validate(
        _about_the_offer(offer_id, revision) | {"reason": reason, "closed_at": at}
    )


def reported(
    report_id: str, offer_id: str = OFFER_ID, reason: str = "full_but_shown_free",
    at: datetime = START,
) -> OfferReportFiled:  # fmt: skip
    """An advisor's problem report, as the catalog publishes it: its reason only."""
    return OfferReportFiled.model_validate(
        _about_the_offer(offer_id, None)
        | {"report_id": report_id, "reason": reason, "reported_at": at}
    )


def dismissed(
    report_id: str, offer_id: str = OFFER_ID, at: datetime = START
) -> OfferReportDismissed:
    return OfferReportDismissed.model_validate(
        _about_the_offer(offer_id, None) | {"report_id": report_id, "dismissed_at": at}
    )
