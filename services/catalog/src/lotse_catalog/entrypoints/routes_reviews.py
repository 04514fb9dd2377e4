"""The review of offers: providers submit drafts, admins decide, both read the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from lotse_catalog.adapters.repository import OfferFilter
from lotse_catalog.domain.errors import InvalidField
from lotse_catalog.domain.model import Offer
from lotse_catalog.domain.review import OfferReview, ReviewState
from lotse_catalog.entrypoints.dependencies import (
    Admin,
    CatalogDep,
    ExpectedVersion,
    ProviderOrAdmin,
    etag,
)
from lotse_catalog.entrypoints.review_schemas import (
    DecisionIn,
    OfferReviewPublic,
    OfferReviewsPublic,
    RevisionsPublic,
    review_public,
    revision_public,
)
from lotse_catalog.entrypoints.routes_directory import VERSION_RESPONSES
from lotse_catalog.service_layer import reviews
from lotse_catalog.service_layer.offer_access import live, own_review, requires_review
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import OfferStatus
from lotse_shared.problems import PROBLEM_RESPONSES, Problem

__all__ = ["REVIEW_RESPONSES", "router"]

REVIEW_RESPONSES: dict[int | str, dict[str, Any]] = PROBLEM_RESPONSES | {
    409: {
        "model": Problem,
        "description": "The state does not allow it, e.g. the revision was superseded.",
        "content": {"application/problem+json": {}},
    }
}
router = APIRouter(tags=["review"], responses=REVIEW_RESPONSES)


async def _published(uow: UnitOfWork, offer_ids: Sequence[str]) -> dict[str, Offer]:
    if not offer_ids:
        return {}
    page = await uow.offers.page(
        OfferFilter(status=OfferStatus.PUBLISHED, ids=tuple(offer_ids)), limit=len(offer_ids)
    )
    return {offer.id: offer for offer in page.items}


@router.get(
    "/v1/offers/{offer_id}/review",
    summary="Where an offer's review stands: its draft, the revision waiting, the last decision.",
    description="The offer's provider and admins. The ETag is If-Match for submitting.",
)
async def get_review(
    offer_id: str, principal: ProviderOrAdmin, catalog: CatalogDep, response: Response
) -> OfferReviewPublic:
    async with catalog.uow() as uow:
        review = await own_review(uow, principal, offer_id)
        published = live(await uow.offers.get(offer_id))
    response.headers["ETag"] = etag(review.version)
    return review_public(review, published, principal.is_admin)


@router.post(
    "/v1/offers/{offer_id}/submit",
    summary="Submit the offer's draft for review.",
    description=(
        "If-Match: the review's version. The draft becomes the next revision, waiting for an "
        "admin's decision (published offers stay as they are meanwhile); where the policy asks "
        "for no review, it is published at once (state published)."
    ),
    responses=VERSION_RESPONSES,
)
async def submit_offer(
    offer_id: str,
    principal: ProviderOrAdmin,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> OfferReviewPublic:
    reviewed = await reviews.submit_offer(
        catalog.uow(), catalog.settings.review, principal, offer_id, version
    )
    response.headers["ETag"] = etag(reviewed.review.version)
    return review_public(reviewed.review, reviewed.published, principal.is_admin)


@router.post(
    "/v1/offers/{offer_id}/decisions",
    summary="Decide on the revision waiting: approve, request changes or reject.",
    description=(
        "Admins only, and never one who wrote or submitted the revision (403). Name the "
        "revision decided: an older one, or an offer with none waiting, is a 409. Approval "
        "publishes it on lotse.offers; each decision is an offer-review event."
    ),
)
async def decide_offer(
    offer_id: str, body: DecisionIn, principal: Admin, catalog: CatalogDep
) -> OfferReviewPublic:
    reviewed = await reviews.decide_offer(
        catalog.uow(), principal, offer_id, body.revision, body.decision, body.comment
    )
    return review_public(reviewed.review, reviewed.published, principal.is_admin)


@router.get(
    "/v1/offers/{offer_id}/revisions",
    summary="Every submitted revision of an offer, with what each changed and its decision.",
    description="The offer's provider and admins; who submitted and who decided: admins only.",
)
async def list_revisions(
    offer_id: str, principal: ProviderOrAdmin, catalog: CatalogDep
) -> RevisionsPublic:
    async with catalog.uow() as uow:
        review = await own_review(uow, principal, offer_id)
    return RevisionsPublic(
        offer_id=offer_id,
        state=review.state,
        items=[revision_public(review, r, principal.is_admin) for r in review.revisions],
    )


@router.get(
    "/v1/reviews",
    summary="The review queue (admins), or the caller's own reviews (providers).",
    description=(
        "Admins get what waits for a decision, longest waiting first; with `state` or "
        "`provider_id` other reviews, latest change first. Providers get their own offers' "
        "reviews, latest change first."
    ),
)
async def list_reviews(
    principal: ProviderOrAdmin,
    catalog: CatalogDep,
    state: ReviewState | None = None,
    provider_id: Annotated[
        str | None, Query(max_length=64, description="Admins: one provider's reviews.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> OfferReviewsPublic:
    if principal.is_admin:
        if state is None and provider_id is None:
            state = ReviewState.SUBMITTED
    elif provider_id not in (None, principal.sub):
        raise InvalidField("provider_id", "providers see their own reviews only")
    else:
        provider_id = principal.sub
    async with catalog.uow() as uow:
        found, total = await uow.reviews.page(
            provider_id=provider_id, state=state, limit=limit, offset=offset
        )
        published = await _published(uow, [r.offer_id for r in found])
        reviewed = (
            None
            if provider_id is None
            else await requires_review(uow, catalog.settings.review, provider_id)
        )
    return OfferReviewsPublic(
        items=_public(found, published, principal.is_admin), total=total, offers_reviewed=reviewed
    )


def _public(
    found: Sequence[OfferReview], published: dict[str, Offer], admin: bool
) -> list[OfferReviewPublic]:
    return [review_public(r, published.get(r.offer_id), admin) for r in found]
