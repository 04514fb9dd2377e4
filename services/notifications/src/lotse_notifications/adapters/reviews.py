"""The offers waiting for review and the open problem reports, as lotse.offer-reviews tells
them, and the emails about the review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.repository import newest, update_rows
from lotse_notifications.domain.model import DeliveryStatus
from lotse_notifications.domain.review import (
    REVIEW_DIGEST,
    Decided,
    OpenReport,
    ReviewDigest,
    WaitingReview,
)
from lotse_shared.database import as_utc, insert_ignoring_duplicates

__all__ = ["DECIDED", "OPEN", "WAITING", "OfferReviews", "OpenReports", "ReviewEmails"]

WAITING, DECIDED = "waiting", "decided"
OPEN, CLOSED = "open", "closed"  # a problem report


class OfferReviews:
    """Per offer its last revision submitted, and whether it still waits for a decision.

    Events of one offer arrive in order (the topic's key is the offer id);
    still, a revision older than the one stored changes nothing.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def submitted(
        self, offer_id: str, provider_id: str, title: str, revision: int | None, at: datetime
    ) -> None:
        r = orm.offer_reviews
        values = {"provider_id": provider_id, "title": title, "revision": revision,
                  "status": WAITING, "submitted_at": at, "decided_at": None}  # fmt: skip
        if await insert_ignoring_duplicates(self.session, r, {"offer_id": offer_id, **values}):
            return
        newer = true() if revision is None else or_(r.c.revision.is_(None), r.c.revision < revision)
        await self.session.execute(
            update(r).where(r.c.offer_id == offer_id, newer).values(**values)
        )

    async def decided(self, offer_id: str, revision: int | None, at: datetime) -> None:
        """A decision on ``revision`` (None: on the published offer) ends the wait for it."""
        r = orm.offer_reviews
        about = (
            true() if revision is None else or_(r.c.revision.is_(None), r.c.revision <= revision)
        )
        await self.session.execute(
            update(r)
            .where(r.c.offer_id == offer_id, r.c.status == WAITING, about)
            .values(status=DECIDED, decided_at=at)
        )

    async def waiting(self) -> list[WaitingReview]:
        """What waits for review, the longest waiting first."""
        r = orm.offer_reviews.c
        rows = await self.session.execute(
            select(r.offer_id, r.provider_id, r.title, r.revision, r.submitted_at)
            .where(r.status == WAITING)
            .order_by(r.submitted_at, r.offer_id)
        )
        return [
            WaitingReview(
                row.offer_id, row.provider_id, row.title, row.revision, as_utc(row.submitted_at)
            )
            for row in rows
        ]

    async def any_waiting(self) -> bool:
        r = orm.offer_reviews.c
        found = await self.session.scalar(select(r.offer_id).where(r.status == WAITING).limit(1))
        return found is not None


class OpenReports:
    """A report is filed once and closed once; news of either arriving again changes nothing,
    and a close that overtakes its filing leaves it closed."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def filed(self, report: OpenReport) -> None:
        await insert_ignoring_duplicates(self.session, orm.open_reports, {
            "report_id": report.report_id, "offer_id": report.offer_id,
            "provider_id": report.provider_id, "title": report.title, "reason": report.reason,
            "reported_at": report.reported_at, "status": OPEN, "closed_at": None,
        })  # fmt: skip

    async def closed(self, report_id: str, at: datetime) -> None:
        t = orm.open_reports
        await self.session.execute(
            update(t).where(t.c.report_id == report_id).values(status=CLOSED, closed_at=at)
        )

    async def open(self) -> list[OpenReport]:
        """The open reports, oldest first."""
        c = orm.open_reports.c
        rows = await self.session.execute(
            select(c.report_id, c.offer_id, c.provider_id, c.title, c.reason, c.reported_at)
            .where(c.status == OPEN)
            .order_by(c.reported_at, c.report_id)
        )
        return [OpenReport(*r[:5], as_utc(r.reported_at)) for r in rows]

    async def any_open(self) -> bool:
        c = orm.open_reports.c
        found = await self.session.scalar(select(c.report_id).where(c.status == OPEN).limit(1))
        return found is not None


class ReviewEmails:
    """Emails to providers about decisions and to the KI about its queue, and how far each got."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> bool:
        """Record an email to send; False when one with its id exists."""
        return await insert_ignoring_duplicates(self.session, orm.review_emails, values)

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[Decided | ReviewDigest]:
        """Claim, for ``lease``, the emails due now; another instance skips what is claimed.

        A daily email comes without its list: what waits is read when it is sent.
        """
        e = orm.review_emails
        rows = (
            await self.session.execute(
                select(e)
                .where(
                    e.c.status == DeliveryStatus.PENDING,
                    e.c.due_at <= now,
                    e.c.next_attempt_at <= now,
                    or_(e.c.claimed_until.is_(None), e.c.claimed_until < now),
                )
                .order_by(e.c.created_at, e.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        await update_rows(self.session, e, [r.id for r in rows], claimed_until=now + lease)
        return [_email_from(r) for r in rows]

    async def set(self, ids: Sequence[str], **values: Any) -> None:
        await update_rows(self.session, orm.review_emails, ids, **values)

    async def log(
        self, *, provider_id: str | None, status: str | None, limit: int
    ) -> Sequence[dict[str, Any]]:
        """The newest first; one provider's, or all of them (the KI's daily emails too)."""
        return await newest(
            self.session,
            orm.review_emails,
            _LOG_COLUMNS,
            limit,
            provider_id=provider_id,
            status=status,
        )


_LOG_COLUMNS = (
    "id", "kind", "recipient", "provider_id", "offer_id", "title", "revision", "day", "status",
    "attempts", "last_error", "created_at", "due_at", "sent_at",
)  # fmt: skip


def _email_from(row: Row[Any]) -> Decided | ReviewDigest:
    if row.kind == REVIEW_DIGEST:
        return ReviewDigest(row.id, row.recipient, row.day, attempts=row.attempts)
    return Decided(
        id=row.id,
        verdict=row.kind,
        offer_id=row.offer_id,
        provider_id=row.provider_id,
        title=row.title,
        contact_email=row.recipient,
        revision=row.revision,
        published_version=row.published_version,
        decided_at=as_utc(row.decided_at),
        comment=row.comment,
        report_reason=row.report_reason,
        attempts=row.attempts,
    )
