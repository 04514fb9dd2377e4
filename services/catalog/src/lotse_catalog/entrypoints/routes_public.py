"""The published offers for everyone, unsigned: the public finder and the district's portal.

Only published offers and only what a provider publishes about them; never a
need, a review or anything about a person. Each client has a request budget.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from lotse_catalog.domain.model import Offer
from lotse_catalog.entrypoints.dependencies import CatalogDep
from lotse_catalog.entrypoints.public_rate import RequestBudget
from lotse_catalog.entrypoints.schemas import PublishedOfferPublic, PublishedOffersPublic
from lotse_catalog.service_layer import public_offers
from lotse_shared.problems import PROBLEM_RESPONSES

__all__ = ["router"]


async def _within_budget(request: Request) -> None:
    budget: RequestBudget = request.app.state.public_budget
    await budget(request)


router = APIRouter(
    tags=["public"],
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k not in (401, 403)}
    | {429: {"description": "Too many requests from this client; see Retry-After."}},
    dependencies=[Depends(_within_budget)],
)


def _public(offer: Offer, names: dict[str, str]) -> PublishedOfferPublic:
    return PublishedOfferPublic.model_validate(
        offer.details.model_dump()
        | {
            "id": offer.id,
            "provider_id": offer.provider_id,
            "provider_name": names.get(offer.provider_id, offer.provider_id),
            "version": offer.version,
            "updated_at": offer.updated_at,
        }
    )


@router.get(
    "/v1/public/offers",
    summary="The published offers, without signing in, oldest change first, a page at a time.",
    description=(
        "Every published offer with its provider's name; page with `cursor`. No token "
        "needed; each client address has a request budget (429 with Retry-After beyond it)."
    ),
)
async def published_offers(
    catalog: CatalogDep,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> PublishedOffersPublic:
    found = await public_offers.published_offers(catalog.uow(), limit=limit, cursor=cursor)
    return PublishedOffersPublic(
        items=[_public(o, found.provider_names) for o in found.offers],
        next_cursor=found.next_cursor,
    )


@router.get("/v1/public/offers/{offer_id}", summary="One published offer, without signing in.")
async def published_offer(offer_id: str, catalog: CatalogDep) -> PublishedOfferPublic:
    found = await public_offers.published_offer(catalog.uow(), offer_id)
    return _public(found.offers[0], found.provider_names)
