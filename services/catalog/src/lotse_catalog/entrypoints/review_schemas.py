"""Request and response bodies of the review.

Who decided a revision, and who submitted it, is shown to admins only;
providers see what was decided and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lotse_catalog.domain.model import Offer
from lotse_catalog.domain.review import OfferReview, ReviewState
from lotse_catalog.domain.revision import COMMENT_MAX, Decision, Revision, RevisionState, Verdict
from lotse_shared.contracts import OfferDetails

__all__ = [
    "ADMINS_ONLY",
    "COMMENT_EXAMPLE",
    "OFFER_ID",
    "Comment",
    "DecisionIn",
    "OfferReviewPublic",
    "OfferReviewsPublic",
    "RevisionsPublic",
    "review_public",
    "revision_public",
]

_FORBID = ConfigDict(extra="forbid", frozen=True)
Comment = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=COMMENT_MAX)
]
OFFER_ID = Field(description="Id of the offer.", examples=["7d3c1f7e-4b1a-4c55-9a53-2f1b8f4f6a10"])
COMMENT_EXAMPLE = "Bitte das Enddatum prüfen: laut Flyer endet der Kurs am 30.07."
ADMINS_ONLY = "; shown to admins only (null for others)."
_OFFER_EXAMPLE = {
    "title": {"de": "Deutschkurs B1 am Abend"},
    "description": {"de": "Zweimal pro Woche, 18 bis 20 Uhr."},
    "category": "language_course",
    "location": {"municipality": "05978028"},
    "contact_email": "kurse@vhs-schwerte.example",
}
_DECISION_EXAMPLE = {
    "id": "c2f1e0d9-8b7a-4c6d-9e5f-1a2b3c4d5e6f",
    "revision": 1,
    "decision": "changes_requested",
    "comment": "Bitte das Enddatum prüfen.",
    "decided_at": "2026-11-28T11:00:00Z",
    "report_id": None,
    "reviewer": None,
}


class DecisionIn(BaseModel):
    """An admin's decision on the revision waiting for one."""

    model_config = _FORBID
    revision: int = Field(
        ge=1,
        description="The revision decided on: the one waiting; an older one is a 409.",
        examples=[2],
    )
    decision: Verdict = Field(
        description="approved, changes_requested or rejected.", examples=["approved"]
    )
    comment: Comment | None = Field(
        default=None,
        description="Words to the provider; required unless approved. No personal data: "
        "an email address, phone number or date of birth is refused.",
        examples=[COMMENT_EXAMPLE],
    )


class FieldChangePublic(BaseModel):
    field: str = Field(
        description="The field, as a path: title.de, location.address, places_available, ….",
        examples=["title.de"],
    )
    before: Any = Field(
        description="Its value in the offer published then; null for a new offer.",
        examples=["Deutschkurs B1"],
    )
    after: Any = Field(
        description="Its value in the revision.", examples=["Deutschkurs B1 am Abend"]
    )


class DecisionPublic(BaseModel):
    id: str = Field(description="Stable id.", examples=["c2f1e0d9-8b7a-4c6d-9e5f-1a2b3c4d5e6f"])
    revision: int | None = Field(
        description="The revision decided on; null for a change request about the published "
        "offer (from a report).",
        examples=[2],
    )
    decision: Verdict = Field(description="What was decided.", examples=["changes_requested"])
    comment: str | None = Field(description="The admin's words.", examples=[COMMENT_EXAMPLE])
    decided_at: datetime = Field(description="When (UTC).", examples=["2026-11-28T11:00:00Z"])
    report_id: str | None = Field(
        description="The problem report that led to it, if one did.", examples=[None]
    )
    reviewer: str | None = Field(
        description="The admin who decided" + ADMINS_ONLY, examples=["ki-admin"]
    )


class RevisionPublic(BaseModel):
    number: int = Field(description="1, 2, … per offer.", examples=[2])
    state: RevisionState = Field(
        description="submitted (waiting), changes_requested, approved, rejected, superseded "
        "(pulled back or replaced by a newer change) or withdrawn.",
        examples=["submitted"],
    )
    details: OfferDetails = Field(
        description="The offer as the revision has it.", examples=[_OFFER_EXAMPLE]
    )
    changes: list[FieldChangePublic] = Field(
        description="Field by field, what it changes of the offer published when it was "
        "submitted (every field for a new offer).",
        examples=[[{"field": "title.de", "before": "Deutschkurs", "after": "Deutschkurs B1"}]],
    )
    base_version: int | None = Field(
        description="The published version it was made against; null for a new offer.",
        examples=[1],
    )
    submitted_at: datetime = Field(description="When (UTC).", examples=["2026-11-28T09:00:00Z"])
    submitted_by: str | None = Field(
        description="Who submitted it" + ADMINS_ONLY, examples=["provider:vhs-schwerte"]
    )
    decision: DecisionPublic | None = Field(
        description="The decision on it, if there is one.", examples=[_DECISION_EXAMPLE]
    )


class OfferReviewPublic(BaseModel):
    """Where an offer's review stands."""

    offer_id: str = OFFER_ID
    provider_id: str = Field(description="Provider of the offer.", examples=["vhs-schwerte"])
    state: ReviewState = Field(
        description="draft, submitted, changes_requested, approved, rejected, withdrawn, or "
        "published (closed: a later change needed no review).",
        examples=["submitted"],
    )
    version: int = Field(description="The review's version: If-Match for submitting.", examples=[3])
    published_version: int | None = Field(
        description="The version advisors see (If-Match for changing the offer); null while "
        "it was never published.",
        examples=[1],
    )
    title: str = Field(
        description="German title of what the provider last wrote.", examples=["Deutschkurs B1"]
    )
    draft: OfferDetails | None = Field(
        description="The draft not yet submitted, if any.", examples=[_OFFER_EXAMPLE]
    )
    working_copy: OfferDetails | None = Field(
        description="What the provider last wrote, to change further: the draft, else the "
        "newest revision; null when nothing was kept for review.",
        examples=[_OFFER_EXAMPLE],
    )
    pending: RevisionPublic | None = Field(
        description="The revision waiting for a decision, with what it changes.",
        examples=[None],
    )
    last_decision: DecisionPublic | None = Field(
        description="The latest decision, if any.", examples=[_DECISION_EXAMPLE]
    )
    updated_at: datetime = Field(
        description="When the review last changed (UTC).", examples=["2026-11-28T09:00:00Z"]
    )


class OfferReviewsPublic(BaseModel):
    items: list[OfferReviewPublic] = Field(description="This page.", examples=[[]])
    total: int = Field(description="How many on all pages.", examples=[4])
    offers_reviewed: bool | None = Field(
        default=None,
        description="For one provider's reviews (a provider's own, or an admin's "
        "`provider_id`): whether that provider's new offers and changes wait for review now "
        "(CATALOG_REVIEW_POLICY); null for the queue.",
        examples=[True],
    )


class RevisionsPublic(BaseModel):
    offer_id: str = OFFER_ID
    state: ReviewState = Field(description="Where the review stands.", examples=["approved"])
    items: list[RevisionPublic] = Field(
        description="Every submitted revision, oldest first.", examples=[[]]
    )


def _decision(decision: Decision | None, admin: bool) -> DecisionPublic | None:
    if decision is None:
        return None
    return DecisionPublic(
        id=decision.id,
        revision=decision.revision,
        decision=decision.verdict,
        comment=decision.comment,
        decided_at=decision.decided_at,
        report_id=decision.report_id,
        reviewer=decision.reviewer if admin else None,
    )


def revision_public(review: OfferReview, revision: Revision, admin: bool) -> RevisionPublic:
    decided = next((d for d in reversed(review.decisions) if d.revision == revision.number), None)
    return RevisionPublic(
        number=revision.number,
        state=revision.state,
        details=revision.details,
        changes=[
            FieldChangePublic(field=c.field, before=c.before, after=c.after)
            for c in revision.changes
        ],
        base_version=revision.base_version,
        submitted_at=revision.submitted_at,
        submitted_by=revision.submitted_by if admin else None,
        decision=_decision(decided, admin),
    )


def review_public(review: OfferReview, published: Offer | None, admin: bool) -> OfferReviewPublic:
    """``published``: the offer as advisors see it, if they do."""
    working = review.working_copy or (published.details if published else None)
    pending = review.pending
    return OfferReviewPublic(
        offer_id=review.offer_id,
        provider_id=review.provider_id,
        state=review.state,
        version=review.version,
        published_version=published.version if published else None,
        title=working.title["de"] if working else "",
        draft=review.draft,
        working_copy=review.working_copy,
        pending=revision_public(review, pending, admin) if pending else None,
        last_decision=_decision(review.decisions[-1] if review.decisions else None, admin),
        updated_at=review.updated_at,
    )
