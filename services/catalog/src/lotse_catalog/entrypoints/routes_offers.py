"""Offers: providers publish, change and withdraw their own; everyone signed in may read.

Where the review policy asks for it, a new offer or a change answers 202 with
the offer's review: it waits as a draft while advisors see the published
version, if there is one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import StringConstraints

from lotse_catalog.adapters.repository import OfferFilter, OfferSort
from lotse_catalog.bootstrap import Catalog
from lotse_catalog.domain.errors import InvalidField, NotFound
from lotse_catalog.domain.model import Expected, Offer
from lotse_catalog.entrypoints.dependencies import (
    AnyRole,
    CatalogDep,
    ExpectedVersion,
    etag,
)
from lotse_catalog.entrypoints.review_schemas import OfferReviewPublic, review_public
from lotse_catalog.entrypoints.routes_directory import PATCH_BODY
from lotse_catalog.entrypoints.schemas import (
    OfferDraft,
    OfferIn,
    OfferPreview,
    OfferPublic,
    OffersPublic,
)
from lotse_catalog.service_layer import offers
from lotse_catalog.service_layer.offer_access import Reviewed
from lotse_shared.contracts import Category, Location, OfferDetails, OfferStatus
from lotse_shared.http import merge_patch
from lotse_shared.identity import Principal
from lotse_shared.problems import PROBLEM_RESPONSES

__all__ = ["router", "under_review"]

router = APIRouter(tags=["offers"], responses=PROBLEM_RESPONSES)

_IN_REVIEW: dict[int | str, dict[str, Any]] = {
    202: {
        "model": OfferReviewPublic,
        "description": "Kept as a draft for review (CATALOG_REVIEW_POLICY): the body is the "
        "offer's review; advisors still see the published version, if any. The ETag is what "
        "If-Match sends next for this offer.",
    }
}

MAX_IDS = 100
OfferId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


def offer_public(offer: Offer) -> OfferPublic:
    """The offer as the API shows it, assembled from its details, validated when they came in."""
    return OfferPublic.model_construct(
        **dict(offer.details),
        id=offer.id,
        provider_id=offer.provider_id,
        status=offer.status,
        version=offer.version,
        updated_at=offer.updated_at,
    )


def _with_etag(response: Response, offer: Offer) -> OfferPublic:
    response.headers["ETag"] = etag(offer.version)
    return offer_public(offer)


def _offer_answer(offer: Offer, status_code: int = 200, location: bool = False) -> Response:
    """The offer just changed, serialised as it is: FastAPI would validate it once more."""
    headers = {"ETag": etag(offer.version)}
    if location:
        headers["Location"] = f"/v1/offers/{offer.id}"
    body = offer_public(offer).model_dump_json(by_alias=True)
    return Response(body, status_code, headers, media_type="application/json")


def under_review(response: Response, reviewed: Reviewed, principal: Principal) -> OfferReviewPublic:
    """A change kept for review: 202, the review, and the ETag of the offer's next change."""
    response.status_code = 202
    response.headers["ETag"] = etag(reviewed.version)
    response.headers["Location"] = f"/v1/offers/{reviewed.review.offer_id}/review"
    return review_public(reviewed.review, reviewed.published, principal.is_admin)


def _answer(
    response: Response, result: Offer | Reviewed, principal: Principal
) -> OfferPublic | OfferReviewPublic | Response:
    if isinstance(result, Reviewed):
        return under_review(response, result, principal)
    return _offer_answer(result)


async def _revise(
    catalog: Catalog,
    principal: Principal,
    offer_id: str,
    revision: offers.Revision,
    version: Expected,
    response: Response,
) -> OfferPublic | OfferReviewPublic | Response:
    result = await offers.revise_offer(
        catalog.uow(),
        catalog.region,
        principal,
        offer_id,
        revision,
        version,
        catalog.settings.review,
    )
    return _answer(response, result, principal)


def _details(body: OfferIn) -> OfferDetails:
    """The body's details, validated as the body was: taken over, not validated again."""
    fields = {name: getattr(body, name) for name in OfferDetails.model_fields}
    fields["location"] = Location.model_construct(**dict(body.location))
    return OfferDetails.model_construct(set(OfferDetails.model_fields), **fields)


@router.post(
    "/v1/offers",
    status_code=201,
    summary="Publish an offer, or keep it as a draft for review.",
    responses=_IN_REVIEW,
    response_model=OfferPublic | OfferReviewPublic,
)
async def publish_offer(
    body: OfferIn, principal: AnyRole, catalog: CatalogDep, response: Response
) -> OfferPublic | OfferReviewPublic | Response:
    result = await offers.publish_offer(
        catalog.uow(),
        catalog.region,
        principal,
        _details(body),
        body.provider_id,
        catalog.settings.review,
    )
    if isinstance(result, Offer):
        return _offer_answer(result, 201, location=True)
    return _answer(response, result, principal)


@router.post(
    "/v1/offers/validate",
    summary="Check an offer as POST /v1/offers would, storing and publishing nothing.",
    description=(
        "The same body and every check of POST /v1/offers; the answer is the offer as it "
        "would be stored (normalised, defaults filled in), e.g. for a preview before saving."
    ),
)
async def validate_offer(body: OfferIn, principal: AnyRole, catalog: CatalogDep) -> OfferPreview:
    details = _details(body)
    owner = await offers.preview_offer(
        catalog.uow(), catalog.region, principal, details, body.provider_id
    )
    draft = OfferDraft.model_validate(details.model_dump() | {"provider_id": owner})
    return OfferPreview(details=draft, provider_id=owner)


@router.get(
    "/v1/offers",
    summary="Offers, filtered, oldest change first (or as sorted), a page at a time.",
    description=(
        "Without `status`, offers of every status. `id` (repeatable, at most 100) fetches "
        "those offers in one call, e.g. a need's matches; ids not found are simply absent. "
        "Filters combine; the page holds at most `limit` offers. `sort=updated` (default) "
        "pages with `cursor`; the other sorts page with `offset`. `total=true` adds how many "
        "offers pass the filters."
    ),
)
async def list_offers(
    _: AnyRole,
    catalog: CatalogDep,
    category: Category | None = None,
    municipality: Annotated[
        str | None, Query(pattern=r"^\d{8}$", description="AGS of the venue.")
    ] = None,
    status: OfferStatus | None = None,
    provider_id: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None, Query(min_length=2, max_length=100, description="Text in the title.")
    ] = None,
    updated_since: Annotated[
        datetime | None, Query(description="Only offers changed at or after this time.")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ids: Annotated[
        list[OfferId] | None,
        Query(
            alias="id",
            max_length=MAX_IDS,
            description=f"Only these offers; repeat it (`?id=a&id=b`), at most {MAX_IDS}.",
        ),
    ] = None,
    sort: Annotated[
        OfferSort,
        Query(
            description=(
                "updated (last change, oldest first), start_date, -start_date (offers without "
                "one last either way) or title (German, case-insensitive); ties by id."
            )
        ),
    ] = OfferSort.UPDATED,
    offset: Annotated[
        int, Query(ge=0, le=100_000, description="Offers to skip, for sorts other than updated.")
    ] = 0,
    start_from: Annotated[
        date | None, Query(description="Only offers starting on or after this day.")
    ] = None,
    start_until: Annotated[
        date | None, Query(description="Only offers starting on or before this day.")
    ] = None,
    total: Annotated[
        bool, Query(description="Also count the offers that pass the filters.")
    ] = False,
) -> OffersPublic:
    if start_from and start_until and start_until < start_from:
        raise InvalidField("start_until", "must not be before start_from")
    where = OfferFilter(
        category,
        municipality,
        status,
        provider_id,
        q,
        updated_since,
        tuple(ids or ()),
        start_from,
        start_until,
    )
    async with catalog.uow() as uow:
        page = await uow.offers.page(where, limit=limit, cursor=cursor, sort=sort, offset=offset)
        counted = await uow.offers.count(where) if total else None
    return OffersPublic(
        items=[offer_public(o) for o in page.items], next_cursor=page.next_cursor, total=counted
    )


@router.get("/v1/offers/{offer_id}", summary="One offer.")
async def get_offer(
    offer_id: str, _: AnyRole, catalog: CatalogDep, response: Response
) -> OfferPublic:
    async with catalog.uow() as uow:
        offer = await uow.offers.get(offer_id)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    return _with_etag(response, offer)


@router.put(
    "/v1/offers/{offer_id}",
    summary="Replace an offer's details.",
    description="Under review, anything but free places is kept as a draft (202). If-Match: "
    "the published version, or for an offer not yet published its review's.",
    responses=_IN_REVIEW,
    response_model=OfferPublic | OfferReviewPublic,
)
async def replace_offer(
    offer_id: str,
    body: OfferIn,
    principal: AnyRole,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> OfferPublic | OfferReviewPublic | Response:
    return await _revise(catalog, principal, offer_id, _details(body), version, response)


@router.patch(
    "/v1/offers/{offer_id}",
    summary="Change some of an offer's details, e.g. its free places.",
    description='Send only what changes, e.g. `{"places_available": 3}`, with If-Match. '
    "Free places change at once; under review anything else is kept as a draft (202), "
    "applied to the draft or the revision waiting if there is one.",
    responses=_IN_REVIEW,
    response_model=OfferPublic | OfferReviewPublic,
)
async def patch_offer(
    offer_id: str,
    principal: AnyRole,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
    patch: dict[str, Any] = PATCH_BODY,
) -> OfferPublic | OfferReviewPublic | Response:

    def patched(current: OfferDetails) -> OfferDetails:
        return _details(OfferIn.model_validate(merge_patch(current.model_dump(mode="json"), patch)))

    return await _revise(catalog, principal, offer_id, patched, version, response)


@router.delete(
    "/v1/offers/{offer_id}",
    summary="Withdraw an offer, at once; a draft or revision waiting for review goes with it.",
    description="An offer never published answers with its review (state withdrawn).",
)
async def withdraw_offer(
    offer_id: str,
    principal: AnyRole,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> OfferPublic | OfferReviewPublic:
    result = await offers.withdraw_offer(catalog.uow(), principal, offer_id, version)
    if isinstance(result, Reviewed):
        response.headers["ETag"] = etag(result.version)
        return review_public(result.review, None, principal.is_admin)
    return _with_etag(response, result)
