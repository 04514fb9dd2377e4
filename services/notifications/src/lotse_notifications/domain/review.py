"""News of the KI's review of offers, for the provider and for the KI. No I/O.

A provider hears of every decision on its offer at its role mailbox: changes
requested (also when an advisor's report led to them), approved, rejected.
One email per decision, however often the decision's event arrives. The KI
hears once a day, at its hour, which offers wait for its review and which of
advisors' problem reports are open: a day's email has its own id, so two
instances send it once between them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from lotse_notifications.domain.model import next_at_hour

__all__ = [
    "APPROVED",
    "CHANGES_REQUESTED",
    "REJECTED",
    "REVIEW_DIGEST",
    "Decided",
    "KiDigest",
    "OpenReport",
    "ReviewDigest",
    "Verdict",
    "WaitingReview",
    "decision_email_id",
    "digest_email_id",
]

Verdict = Literal["changes_requested", "approved", "rejected"]
CHANGES_REQUESTED: Verdict = "changes_requested"
APPROVED: Verdict = "approved"
REJECTED: Verdict = "rejected"
REVIEW_DIGEST = "review_digest"  # the kind of the KI's daily email

_NAMESPACE = uuid.UUID("8f6d2b1e-4c3a-4e5f-9b7d-6a1c0e2f3d4b")


@dataclass(frozen=True)
class Decided:
    """A decision on an offer, as the provider's email tells it."""

    id: str
    verdict: Verdict
    offer_id: str
    provider_id: str
    title: str
    contact_email: str
    revision: int | None
    """None when the change request concerns the published offer itself."""
    published_version: int | None
    """After an approval the version now published; otherwise the one that stays live, if any."""
    decided_at: datetime
    comment: str | None = None
    report_reason: str | None = None
    """Set when an advisor's problem report led to the change request."""
    attempts: int = 0

    @property
    def from_report(self) -> bool:
        return self.report_reason is not None

    @property
    def stays_live(self) -> bool:
        """Whether advisors keep seeing a published version while the provider reworks it."""
        return self.verdict != APPROVED and self.published_version is not None


@dataclass(frozen=True)
class WaitingReview:
    """An offer's revision submitted and not yet decided."""

    offer_id: str
    provider_id: str
    title: str
    revision: int | None
    submitted_at: datetime


@dataclass(frozen=True)
class OpenReport:
    """An advisor's problem report the KI has not decided yet: its offer and reason."""

    report_id: str
    offer_id: str
    provider_id: str
    title: str
    reason: str
    reported_at: datetime


@dataclass(frozen=True)
class ReviewDigest:
    """The KI's email of one day: what waits for review, and the open reports, when sent."""

    id: str
    recipient: str
    day: date
    waiting: tuple[WaitingReview, ...] = ()
    attempts: int = 0
    reports: tuple[OpenReport, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.waiting or self.reports)


@dataclass(frozen=True)
class KiDigest:
    """Where and at what hour (in ``zone``) the KI hears what waits for its review."""

    email: str
    hour: int
    zone: ZoneInfo

    def next_after(self, moment: datetime) -> datetime:
        """When the first daily email after ``moment`` is due."""
        return next_at_hour(moment, self.hour, self.zone)

    def day_of(self, due: datetime) -> date:
        return due.astimezone(self.zone).date()


def decision_email_id(decision_id: str) -> str:
    """One email per decision: the key that makes a redelivered decision send nothing more."""
    return str(uuid.uuid5(_NAMESPACE, f"decision/{decision_id}"))


def digest_email_id(day: date) -> str:
    """One daily email per day, whichever instance records it first."""
    return str(uuid.uuid5(_NAMESPACE, f"review-digest/{day.isoformat()}"))
