"""Bulk import of offers, and the CSV template a provider fills in for it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from lotse_catalog.domain.errors import InvalidField
from lotse_catalog.domain.model import Offer, now
from lotse_catalog.entrypoints.dependencies import AnyRole, CatalogDep, ProviderOrAdmin
from lotse_catalog.entrypoints.offer_import import (
    CSV_COLUMNS,
    rows_from_csv,
    rows_from_json,
    template_csv,
)
from lotse_catalog.entrypoints.schemas import ImportFailure, ImportReport
from lotse_catalog.service_layer import offers
from lotse_shared.problems import PROBLEM_RESPONSES, problem

__all__ = ["router"]

router = APIRouter(tags=["offers"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/offers/import/template.csv",
    summary="A CSV to fill in for an import: the header row and one example offer.",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def import_template(_: ProviderOrAdmin, catalog: CatalogDep) -> PlainTextResponse:
    return PlainTextResponse(
        template_csv(catalog.region, now().date()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lotse-angebote-vorlage.csv"'},
    )


@router.post(
    "/v1/offers/import",
    status_code=201,
    summary="Import many offers from CSV or JSON.",
    description=(
        "Body: `application/json` (an array of offers as for POST /v1/offers) or `text/csv` "
        f"(header row; columns {', '.join(CSV_COLUMNS)}; lists separated by `|`; `;` or `,` as delimiter). "
        "At most 1000 offers. mode=all_or_nothing (default) stores nothing when any row is invalid and "
        "answers 422 with every row's errors; mode=partial stores the valid rows and reports the rest. "
        "Under review (CATALOG_REVIEW_POLICY) each offer is kept as a draft to submit."
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
        review=catalog.settings.review,
    )
    report = ImportReport(
        created=[o.id if isinstance(o, Offer) else o.review.offer_id for o in created],
        in_review=bool(created) and not isinstance(created[0], Offer),
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
