"""Use cases of the review: providers submit drafts, admins decide on what was submitted.

Only an approval writes to ``lotse.offers``, in the same transaction as the
decision and its review event.
"""

from __future__ import annotations

import uuid

from lotse_catalog.domain.errors import Conflict
from lotse_catalog.domain.model import Expected, Offer, check_version, now
from lotse_catalog.domain.review import OfferReview
from lotse_catalog.domain.review_policy import ReviewRules
from lotse_catalog.domain.revision import Revision, RevisionState, Verdict, author_of
from lotse_catalog.service_layer.events import closed_event, offer_event, review_event
from lotse_catalog.service_layer.offer_access import (
    Reviewed,
    active_provider,
    locked_offer,
    requires_review,
)
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    OfferDetails,
    OfferPublished,
    OfferReviewApproved,
    OfferReviewChangesRequested,
    OfferReviewDecision,
    OfferReviewRejected,
    OfferReviewSubmitted,
    OfferUpdated,
)
from lotse_shared.identity import Principal

__all__ = ["VERDICT_EVENTS", "decide_offer", "publish_closed", "publish_now", "submit_offer"]

VERDICT_EVENTS: dict[Verdict, type[OfferReviewDecision]] = {
    Verdict.APPROVED: OfferReviewApproved,
    Verdict.CHANGES_REQUESTED: OfferReviewChangesRequested,
    Verdict.REJECTED: OfferReviewRejected,
}


async def publish_now(
    uow: UnitOfWork, offer_id: str, provider_id: str, published: Offer | None, details: OfferDetails
) -> Offer:
    """Publish ``details`` as the offer: new, or a change of the published one."""
    if published is None:
        await active_provider(uow, provider_id)
        offer = Offer(id=offer_id, provider_id=provider_id, details=details)
        await uow.offers.add(offer)
        await uow.publish([offer_event(OfferPublished, offer)])
        return offer
    published.revise(details, expected_version=None)
    await uow.offers.save(published)
    await uow.publish([offer_event(OfferUpdated, published)])
    return published


async def publish_closed(
    uow: UnitOfWork, review: OfferReview, waited: Revision | None, offer: Offer | None
) -> None:
    """If the revision that waited (before the change at hand) no longer does, and no decision
    ended its wait, say so on lotse.offer-reviews: it left the KI's queue."""
    if waited is None or waited.state not in (RevisionState.SUPERSEDED, RevisionState.WITHDRAWN):
        return
    provider = await uow.providers.get(review.provider_id)
    if provider is not None:
        await uow.publish([closed_event(review, waited, provider, offer, now())])


async def submit_offer(
    uow: UnitOfWork,
    rules: ReviewRules,
    principal: Principal,
    offer_id: str,
    expected_version: Expected,
) -> Reviewed:
    """Submit the offer's draft for review; where the policy asks for none, publish it."""
    async with uow:
        target = await locked_offer(uow, principal, offer_id)
        review, published = target.review, target.published
        if review is None:
            raise Conflict(f"offer {offer_id} has no draft to submit")
        check_version(review.version, expected_version)
        if review.draft is not None and not await requires_review(uow, rules, review.provider_id):
            review.ensure_changeable(published)
            published = await publish_now(
                uow, offer_id, review.provider_id, published, review.draft
            )
            review.close_published()
        else:
            review.submit(author_of(principal), published, now())
            provider = await active_provider(uow, review.provider_id)
            await uow.publish([review_event(OfferReviewSubmitted, review, provider, published)])
        await uow.reviews.save(review)
        await uow.commit()
    return Reviewed(review, published)


async def decide_offer(
    uow: UnitOfWork,
    principal: Principal,
    offer_id: str,
    revision: int,
    verdict: Verdict,
    comment: str | None,
) -> Reviewed:
    """An admin other than its authors approves, sends back or rejects the revision waiting."""
    async with uow:
        target = await locked_offer(uow, principal, offer_id)
        review, offer = target.review, target.published
        if review is None:
            raise Conflict(f"offer {offer_id} has no revision waiting for a decision")
        decision = review.decide(
            principal, revision, verdict, comment, decision_id=str(uuid.uuid4()), at=now()
        )
        provider = await uow.providers.get(review.provider_id)
        if provider is None or not provider.active:
            raise Conflict(f"provider {review.provider_id} is no longer active")
        if verdict is Verdict.APPROVED:
            offer = await publish_now(
                uow, offer_id, review.provider_id, offer, review.approved_details
            )
        event = review_event(VERDICT_EVENTS[verdict], review, provider, offer, decision)
        await uow.publish([event])
        await uow.reviews.save(review)
        await uow.commit()
    return Reviewed(review, offer)
