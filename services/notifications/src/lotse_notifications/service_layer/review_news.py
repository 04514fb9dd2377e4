"""The review of offers as news: each decision becomes one email to the provider's role mailbox,
each submission and each advisor's problem report waits in the KI's queue until decided (or,
for a revision, closed without a decision), and the KI hears once a day what waits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from lotse_notifications.domain.model import DeliveryStatus
from lotse_notifications.domain.review import (
    APPROVED,
    CHANGES_REQUESTED,
    REJECTED,
    REVIEW_DIGEST,
    Decided,
    KiDigest,
    OpenReport,
    ReviewDigest,
    Verdict,
    decision_email_id,
    digest_email_id,
)
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    OfferReportDismissed,
    OfferReportFiled,
    OfferReviewApproved,
    OfferReviewChangesRequested,
    OfferReviewClosed,
    OfferReviewDecision,
    OfferReviewEvent,
    OfferReviewRejected,
    OfferReviewSubmitted,
)

__all__ = ["claim_review_emails", "plan_digest", "plan_digest_if_waiting", "review_changed"]

_VERDICTS: dict[type[OfferReviewDecision], Verdict] = {
    OfferReviewChangesRequested: CHANGES_REQUESTED,
    OfferReviewApproved: APPROVED,
    OfferReviewRejected: REJECTED,
}


async def review_changed(
    uow: UnitOfWork, event: OfferReviewEvent, ki: KiDigest | None, now: datetime
) -> None:
    """Keep the queue; record the provider's email about a decision, once per decision."""
    if isinstance(event, OfferReviewSubmitted | OfferReportFiled):
        await _waits(uow, event)
        if ki is not None:
            await plan_digest(uow, ki, now)
        return
    if isinstance(event, OfferReviewClosed):
        await uow.reviews.decided(event.offer_id, event.revision, event.closed_at)
        return
    if isinstance(event, OfferReportDismissed):
        await uow.reports.closed(event.report_id, event.dismissed_at)
        return
    if not isinstance(event, OfferReviewDecision) or type(event) not in _VERDICTS:
        return
    verdict = _VERDICTS[type(event)]
    await uow.reviews.decided(event.offer_id, event.revision, event.decided_at)
    if isinstance(event, OfferReviewChangesRequested) and event.report_id is not None:
        await uow.reports.closed(event.report_id, event.decided_at)
    await uow.review_emails.add(
        {
            "id": decision_email_id(event.decision_id),
            "kind": verdict,
            "recipient": str(event.contact_email),
            "provider_id": event.provider_id,
            "offer_id": event.offer_id,
            "title": event.title,
            "revision": event.revision,
            "published_version": event.published_version,
            "comment": event.comment,
            "report_reason": getattr(event, "report_reason", None),
            "decided_at": event.decided_at,
            **_unsent(now, now),
        }
    )


async def _waits(uow: UnitOfWork, event: OfferReviewSubmitted | OfferReportFiled) -> None:
    if isinstance(event, OfferReviewSubmitted):
        await uow.reviews.submitted(
            event.offer_id, event.provider_id, event.title, event.revision, event.submitted_at
        )
        return
    report = OpenReport(event.report_id, event.offer_id, event.provider_id, event.title,
                        event.reason.value, event.reported_at)  # fmt: skip
    await uow.reports.filed(report)


async def plan_digest(uow: UnitOfWork, ki: KiDigest, now: datetime) -> None:
    """Record the KI's next daily email; the day's one is recorded once, whoever comes first."""
    due = ki.next_after(now)
    day = ki.day_of(due)
    await uow.review_emails.add(
        {
            "id": digest_email_id(day),
            "kind": REVIEW_DIGEST,
            "recipient": ki.email,
            "day": day,
            **_unsent(due, now),
        }
    )


async def plan_digest_if_waiting(
    new_uow: Callable[[], UnitOfWork], ki: KiDigest, now: datetime
) -> None:
    """Record the next daily email when something waits: for the days after a submission's,
    and for what waited before the KI's address was set."""
    async with new_uow() as uow:
        if await uow.reviews.any_waiting() or await uow.reports.any_open():
            await plan_digest(uow, ki, now)
            await uow.commit()


async def claim_review_emails(
    uow: UnitOfWork, now: datetime, *, limit: int, lease: timedelta
) -> list[Decided | ReviewDigest]:
    """Claim the review's emails due now, the KI's with what waits and the open reports at this
    moment; a day's email with nothing left is cancelled: the KI hears only when something waits."""
    claimed = await uow.review_emails.claim_due(now, limit=limit, lease=lease)
    if not any(isinstance(e, ReviewDigest) for e in claimed):
        return claimed
    waiting = tuple(await uow.reviews.waiting())
    reports = tuple(await uow.reports.open())
    ready: list[Decided | ReviewDigest] = []
    for email in claimed:
        if isinstance(email, ReviewDigest):
            email = replace(email, waiting=waiting, reports=reports)
            if not email.anything:
                await uow.review_emails.set(
                    [email.id], status=DeliveryStatus.CANCELLED, claimed_until=None
                )
                continue
        ready.append(email)
    return ready


def _unsent(due: datetime, now: datetime) -> dict[str, Any]:
    return {
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "due_at": due,
        "next_attempt_at": now,
        "claimed_until": None,
        "created_at": now,
    }
