"""From a catalog entity to the event that carries its full state.

The need's case reference is not part of any event: it never leaves the catalog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast

from lotse_catalog.domain.model import Advisor, Need, Offer, Provider
from lotse_catalog.domain.report import ProblemReport
from lotse_catalog.domain.review import OfferReview
from lotse_catalog.domain.revision import Decision, Revision, RevisionState
from lotse_shared.contracts import (
    ClosedBecause,
    Event,
    OfferReviewClosed,
    OfferReviewEvent,
    OfferStatus,
)

__all__ = [
    "advisor_event",
    "closed_event",
    "need_event",
    "offer_event",
    "provider_event",
    "report_event",
    "review_event",
]

E = TypeVar("E", bound=Event)


def _state(kind: type[E], details: Any, **identity: Any) -> E:
    # The entity's details were validated where they entered the catalog and its identity
    # comes from the entity itself: the event is assembled from them, not validated again.
    return cast(E, kind.model_construct(**(dict(details) | identity)))


def offer_event(kind: type[E], o: Offer) -> E:
    return _state(
        kind,
        o.details,
        offer_id=o.id,
        provider_id=o.provider_id,
        status=o.status,
        version=o.version,
        updated_at=o.updated_at,
    )


def need_event(kind: type[E], n: Need) -> E:
    return _state(
        kind,
        n.details,
        need_id=n.id,
        reference=n.reference,
        advisor_id=n.advisor_id,
        status=n.status,
        expires_on=n.expires_on,
        version=n.version,
        updated_at=n.updated_at,
    )


def advisor_event(kind: type[E], a: Advisor) -> E:
    return _state(
        kind,
        a.details,
        advisor_id=a.id,
        active=a.active,
        version=a.version,
        updated_at=a.updated_at,
    )


def provider_event(kind: type[E], p: Provider) -> E:
    return _state(
        kind,
        p.details,
        provider_id=p.id,
        active=p.active,
        version=p.version,
        updated_at=p.updated_at,
    )


R = TypeVar("R", bound=OfferReviewEvent)


def review_event(
    kind: type[R],
    review: OfferReview,
    provider: Provider,
    offer: Offer | None,
    decision: Decision | None = None,
    **extra: Any,
) -> R:
    """A review event: the revision submitted or decided, or (a change request without one)
    the published offer; names no one but the provider's role mailbox."""
    number = decision.revision if decision else review.revisions[-1].number
    revision = review.revisions[number - 1] if number else None
    details = revision.details if revision else offer.details if offer else None
    assert details is not None, "a review event is about a revision or a published offer"
    published = offer.version if offer and offer.status is OfferStatus.PUBLISHED else None
    fields: dict[str, Any] = {
        "offer_id": review.offer_id,
        "provider_id": review.provider_id,
        "revision": number,
        "published_version": published,
        "title": details.title["de"],
        "contact_email": provider.details.contact_email,
    }
    if decision is None:
        assert revision is not None
        fields["submitted_at"] = revision.submitted_at
    else:
        fields |= {
            "decision_id": decision.id,
            "comment": decision.comment,
            "decided_at": decision.decided_at,
        }
    return kind.model_validate(fields | extra)


def closed_event(
    review: OfferReview, revision: Revision, provider: Provider, offer: Offer | None, at: datetime
) -> OfferReviewClosed:
    """The revision that stopped waiting without a decision, and why."""
    reason = (
        ClosedBecause.WITHDRAWN
        if revision.state is RevisionState.WITHDRAWN
        else ClosedBecause.SUPERSEDED
    )
    return OfferReviewClosed.model_validate(
        {
            "offer_id": review.offer_id,
            "provider_id": review.provider_id,
            "revision": revision.number,
            "published_version": offer.version
            if offer and offer.status is OfferStatus.PUBLISHED
            else None,
            "title": revision.details.title["de"],
            "contact_email": provider.details.contact_email,
            "reason": reason,
            "closed_at": at,
        }
    )


def report_event(
    kind: type[R], report: ProblemReport, offer: Offer, provider: Provider, **extra: Any
) -> R:
    """A problem report in the KI's queue, or leaving it: its reason, never the advisor's note."""
    return kind.model_validate(
        {
            "offer_id": offer.id,
            "provider_id": offer.provider_id,
            "revision": None,
            "published_version": offer.version,
            "title": offer.details.title["de"],
            "contact_email": provider.details.contact_email,
            "report_id": report.id,
        }
        | extra
    )
