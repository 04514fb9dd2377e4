"""Events on ``lotse.offer-reviews``: the KI's review of offers, keyed by offer id.

A provider submits a revision of an offer; a coordinator approves it, sends
it back for changes or rejects it, each with a comment; a revision that stops
waiting without a decision (pulled back by a newer change, or withdrawn with
the offer) is closed. Advisors' problem reports are filed here too, with
their reason only, and leave the KI's queue when dismissed or turned into a
change request. What is approved reaches ``lotse.offers`` as
``offer.published`` or ``offer.updated`` in the same transaction. These events
carry no personal data beyond the provider's role mailbox, and no one's name:
who reviewed or reported stays in the catalog.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import EmailStr, Field

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.topics import OFFER_REVIEWS

__all__ = [
    "ClosedBecause",
    "OfferReportDismissed",
    "OfferReportFiled",
    "OfferReviewApproved",
    "OfferReviewChangesRequested",
    "OfferReviewClosed",
    "OfferReviewDecision",
    "OfferReviewEvent",
    "OfferReviewRejected",
    "OfferReviewSubmitted",
    "ReportReason",
]


class ReportReason(StrEnum):
    """What an advisor found wrong with an offer."""

    WRONG_DATES = "wrong_dates"
    FULL_BUT_SHOWN_FREE = "full_but_shown_free"
    CONTACT_NOT_ANSWERING = "contact_not_answering"
    WRONG_ELIGIBILITY = "wrong_eligibility"
    OTHER = "other"


class OfferReviewEvent(Event):
    """Something happened in the review of an offer."""

    topic: ClassVar = OFFER_REVIEWS

    offer_id: str = Field(
        description="Id of the offer, as on lotse.offers.",
        examples=["9d1c7e3a-4b2f-4c8e-a5d6-7f0e1b2c3d4e"],
    )
    provider_id: str = Field(description="Provider of the offer.", examples=["vhs-schwerte"])
    revision: int | None = Field(
        ge=1,
        description="The revision submitted or decided (1, 2, … per offer); null when a change "
        "request concerns the published offer itself, e.g. after an advisor's report.",
        examples=[2],
    )
    published_version: int | None = Field(
        ge=1,
        description="The offer's version on lotse.offers this concerns: after an approval the "
        "version now published, otherwise the one published while the revision waits; null "
        "while the offer was never published.",
        examples=[3],
    )
    title: str = Field(
        description="German title of the offer as the revision has it.",
        examples=["Integrationskurs allgemein"],
    )
    contact_email: EmailStr = Field(
        description="The provider's role mailbox, where news of the review goes.",
        examples=["info@vhs-schwerte.example"],
    )

    def key(self) -> str:
        return self.offer_id


class OfferReviewSubmitted(OfferReviewEvent):
    """A provider submitted a revision of an offer for review."""

    event_type: ClassVar = "lotse.offer-review.submitted.v1"

    submitted_at: datetime = Field(
        description="When the revision was submitted (UTC).", examples=["2026-11-28T09:00:00Z"]
    )


class OfferReviewDecision(OfferReviewEvent):
    """A coordinator decided on a revision; one event per decision."""

    decision_id: str = Field(
        description="Stable id of the decision: notify once per decision.",
        examples=["c2f1e0d9-8b7a-4c6d-9e5f-1a2b3c4d5e6f"],
    )
    comment: str | None = Field(
        default=None,
        max_length=2000,
        description="The coordinator's words to the provider.",
        examples=["Bitte das Enddatum prüfen: der Kurs endet laut Flyer am 30.07."],
    )
    decided_at: datetime = Field(
        description="When it was decided (UTC).", examples=["2026-11-28T11:00:00Z"]
    )


class OfferReviewChangesRequested(OfferReviewDecision):
    """The revision, or the published offer, needs changes before it is published (again)."""

    event_type: ClassVar = "lotse.offer-review.changes-requested.v1"

    report_reason: ReportReason | None = Field(
        default=None,
        description="When an advisor's problem report led to the request: its reason.",
        examples=["wrong_dates"],
    )
    report_id: str | None = Field(
        default=None,
        description="When an advisor's problem report led to the request: the report, which "
        "leaves the KI's queue with it.",
        examples=[None],
    )


class OfferReviewApproved(OfferReviewDecision):
    """The revision was approved and is now what lotse.offers carries."""

    event_type: ClassVar = "lotse.offer-review.approved.v1"


class OfferReviewRejected(OfferReviewDecision):
    """The revision was rejected: it is not published; a published offer stays as it was."""

    event_type: ClassVar = "lotse.offer-review.rejected.v1"


class ClosedBecause(StrEnum):
    """Why a revision stopped waiting for a decision."""

    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class OfferReviewClosed(OfferReviewEvent):
    """A revision stopped waiting without a decision: it left the KI's queue."""

    event_type: ClassVar = "lotse.offer-review.closed.v1"

    reason: ClosedBecause = Field(
        description="superseded (the provider changed the offer again, or it was published "
        "directly) or withdrawn (the offer, or its provider, was withdrawn).",
        examples=["superseded"],
    )
    closed_at: datetime = Field(description="When (UTC).", examples=["2026-11-28T10:00:00Z"])


class OfferReportFiled(OfferReviewEvent):
    """An advisor reported a problem with a published offer; it waits in the KI's queue.

    Only the reason travels: the advisor's note and name stay in the catalog.
    """

    event_type: ClassVar = "lotse.offer-review.report-filed.v1"

    report_id: str = Field(
        description="Stable id of the report.", examples=["4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"]
    )
    reason: ReportReason = Field(description="What is wrong.", examples=["full_but_shown_free"])
    reported_at: datetime = Field(description="When (UTC).", examples=["2026-11-28T09:30:00Z"])


class OfferReportDismissed(OfferReviewEvent):
    """The KI dismissed a problem report: it leaves the queue, and the offer stays as it is."""

    event_type: ClassVar = "lotse.offer-review.report-dismissed.v1"

    report_id: str = Field(
        description="The report dismissed.", examples=["4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"]
    )
    dismissed_at: datetime = Field(description="When (UTC).", examples=["2026-11-29T10:00:00Z"])
