"""Offers: providers publish, change and withdraw their own; everyone signed in may read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from lotse_catalog.adapters.repository import OfferFilter
from lotse_catalog.domain.errors import InvalidField, NotFound
from lotse_catalog.domain.model import Offer
from lotse_catalog.entrypoints.dependencies import AnyRole, CatalogDep, ExpectedVersion, etag
from lotse_catalog.entrypoints.offer_import import CSV_COLUMNS, rows_from_csv, rows_from_json
from lotse_catalog.entrypoints.routes_directory import PATCH_BODY
from lotse_catalog.entrypoints.schemas import (
    ImportFailure,
    ImportReport,
    OfferIn,
    OfferPublic,
    OffersPublic,
)
from lotse_catalog.service_layer import offers
from lotse_shared.contracts import Category, OfferDetails, OfferStatus
from lotse_shared.http import merge_patch
from lotse_shared.problems import PROBLEM_RESPONSES, problem

__all__ = ["router"]

router = APIRouter(tags=["offers"], responses=PROBLEM_RESPONSES)

MAX_IDS = 100
OfferId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


def offer_public(offer: Offer) -> OfferPublic:
    return OfferPublic.model_validate(
        offer.details.model_dump()
        | {
            "id": offer.id,
            "provider_id": offer.provider_id,
            "status": offer.status,
            "version": offer.version,
            "updated_at": offer.updated_at,
        }
    )


def _with_etag(response: Response, offer: Offer) -> OfferPublic:
    response.headers["ETag"] = etag(offer.version)
    return offer_public(offer)


def _details(body: OfferIn) -> OfferDetails:
    return OfferDetails.model_validate(body.model_dump(exclude={"provider_id"}))


@router.post("/v1/offers", status_code=201, summary="Publish an offer.")
async def publish_offer(
    body: OfferIn, principal: AnyRole, catalog: CatalogDep, response: Response
) -> OfferPublic:
    offer = await offers.publish_offer(
        catalog.uow(), catalog.region, principal, _details(body), body.provider_id
    )
    response.headers["Location"] = f"/v1/offers/{offer.id}"
    return _with_etag(response, offer)


@router.get(
    "/v1/offers",
    summary="Offers, filtered, oldest change first, a page at a time.",
    description=(
        "Without `status`, offers of every status. `id` (repeatable, at most 100) fetches "
        "those offers in one call, e.g. a need's matches; ids not found are simply absent. "
        "Filters combine; the page holds at most `limit` offers."
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
) -> OffersPublic:
    where = OfferFilter(
        category, municipality, status, provider_id, q, updated_since, tuple(ids or ())
    )
    async with catalog.uow() as uow:
        page = await uow.offers.page(where, limit=limit, cursor=cursor)
    return OffersPublic(items=[offer_public(o) for o in page.items], next_cursor=page.next_cursor)


@router.get("/v1/offers/{offer_id}", summary="One offer.")
async def get_offer(
    offer_id: str, _: AnyRole, catalog: CatalogDep, response: Response
) -> OfferPublic:
    async with catalog.uow() as uow:
        offer = await uow.offers.get(offer_id)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    return _with_etag(response, offer)


@router.put("/v1/offers/{offer_id}", summary="Replace an offer's details.")
async def replace_offer(
    offer_id: str,
    body: OfferIn,
    principal: AnyRole,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> OfferPublic:
    offer = await offers.revise_offer(
        catalog.uow(), catalog.region, principal, offer_id, _details(body), version
    )
    return _with_etag(response, offer)


@router.patch(
    "/v1/offers/{offer_id}",
    summary="Change some of an offer's details, e.g. its free places.",
    description='Send only what changes, e.g. `{"places_available": 3}`, with If-Match.',
)
async def patch_offer(
    offer_id: str,
    principal: AnyRole,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
    patch: dict[str, Any] = PATCH_BODY,
) -> OfferPublic:
    async with catalog.uow() as uow:
        current = await uow.offers.get(offer_id)
    if current is None:
        raise NotFound(f"no offer {offer_id}")
    merged = merge_patch(current.details.model_dump(mode="json"), patch)
    details = _details(OfferIn.model_validate(merged))
    offer = await offers.revise_offer(
        catalog.uow(), catalog.region, principal, offer_id, details, version
    )
    return _with_etag(response, offer)


@router.delete("/v1/offers/{offer_id}", summary="Withdraw an offer.")
async def withdraw_offer(
    offer_id: str,
    principal: AnyRole,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> OfferPublic:
    offer = await offers.withdraw_offer(catalog.uow(), principal, offer_id, version)
    return _with_etag(response, offer)


@router.post(
    "/v1/offers/import",
    status_code=201,
    summary="Import many offers from CSV or JSON.",
    description=(
        "Body: `application/json` (an array of offers as for POST /v1/offers) or `text/csv` "
        f"(header row; columns {', '.join(CSV_COLUMNS)}; lists separated by `|`; `;` or `,` as delimiter). "
        "At most 1000 offers. mode=all_or_nothing (default) stores nothing when any row is invalid and "
        "answers 422 with every row's errors; mode=partial stores the valid rows and reports the rest."
    ),
    responses={
        200: {"description": "partial mode: some rows failed"},
        422: {"description": "rows failed"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/OfferIn"}}
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_offers(
    request: Request,
    principal: AnyRole,
    catalog: CatalogDep,
    mode: Literal["all_or_nothing", "partial"] = "all_or_nothing",
    provider_id: Annotated[str | None, Query(max_length=64, description="Only for admins.")] = None,
) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media_type == "text/csv":
        rows = rows_from_csv(body)
    elif media_type in ("application/json", ""):
        rows = rows_from_json(body)
    else:
        raise InvalidField("content-type", "send application/json or text/csv")
    created, failed = await offers.import_offers(
        catalog.uow(),
        catalog.region,
        principal,
        rows,
        partial=mode == "partial",
        provider_id=provider_id,
    )
    report = ImportReport(
        created=[o.id for o in created],
        failed=[ImportFailure(row=r.number, errors=list(r.errors)) for r in failed],
    )
    if failed and mode == "all_or_nothing":
        return problem(
            422,
            "Invalid import",
            f"{len(failed)} of {len(rows)} rows are invalid; nothing was imported",
            rows=[f.model_dump() for f in report.failed],
        )
    return JSONResponse(report.model_dump(), status_code=200 if failed else 201)
