"""Needs: each advisor registers, reads, changes, closes and erases their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from lotse_catalog.domain.model import Need
from lotse_catalog.entrypoints.dependencies import CatalogDep, ExpectedVersion, etag
from lotse_catalog.entrypoints.schemas import NeedIn, NeedPublic, NeedsPublic
from lotse_catalog.service_layer import needs
from lotse_shared.auth import require_role
from lotse_shared.contracts import NeedDetails, NeedStatus
from lotse_shared.identity import Principal, Role
from lotse_shared.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(tags=["needs"], responses=PROBLEM_RESPONSES)

AdvisorDep = Annotated[Principal, Depends(require_role(Role.ADVISOR))]


def need_public(need: Need) -> NeedPublic:
    return NeedPublic.model_validate(
        need.details.model_dump()
        | {
            "id": need.id,
            "reference": need.reference,
            "advisor_id": need.advisor_id,
            "case_reference": need.case_reference,
            "status": need.status,
            "expires_on": need.expires_on,
            "version": need.version,
            "updated_at": need.updated_at,
        }
    )


def _with_etag(response: Response, need: Need) -> NeedPublic:
    response.headers["ETag"] = etag(need.version)
    return need_public(need)


def _details(body: NeedIn) -> NeedDetails:
    return NeedDetails.model_validate(body.model_dump(exclude={"case_reference"}))


@router.post("/v1/needs", status_code=201, summary="Register a need.")
async def register_need(
    body: NeedIn, principal: AdvisorDep, catalog: CatalogDep, response: Response
) -> NeedPublic:
    need = await needs.register_need(
        catalog.uow(),
        catalog.region,
        principal,
        _details(body),
        body.case_reference,
        catalog.settings.need_retention,
    )
    response.headers["Location"] = f"/v1/needs/{need.id}"
    return _with_etag(response, need)


@router.get("/v1/needs", summary="The caller's needs, oldest change first (or newest), paged.")
async def list_needs(
    principal: AdvisorDep,
    catalog: CatalogDep,
    status: NeedStatus | None = None,
    newest_first: Annotated[bool, Query(description="Newest change first.")] = False,
    limit: Annotated[int | None, Query(ge=1, le=500, description="At most this many.")] = None,
    offset: Annotated[int, Query(ge=0, description="Skip this many first.")] = 0,
) -> NeedsPublic:
    async with catalog.uow() as uow:
        found, total = await uow.needs.of_advisor(
            principal.sub, status, newest_first=newest_first, limit=limit, offset=offset
        )
    return NeedsPublic(items=[need_public(n) for n in found], total=total)


@router.get("/v1/needs/{need_id}", summary="One of the caller's needs.")
async def get_need(
    need_id: str, principal: AdvisorDep, catalog: CatalogDep, response: Response
) -> NeedPublic:
    async with catalog.uow() as uow:
        need = await needs.own_need(uow, principal, need_id)
    return _with_etag(response, need)


@router.put("/v1/needs/{need_id}", summary="Replace a need's details.")
async def replace_need(
    need_id: str,
    body: NeedIn,
    principal: AdvisorDep,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> NeedPublic:
    need = await needs.revise_need(
        catalog.uow(),
        catalog.region,
        principal,
        need_id,
        _details(body),
        body.case_reference,
        version,
    )
    return _with_etag(response, need)


@router.post("/v1/needs/{need_id}/close", summary="Close a need: met, or no longer wanted.")
async def close_need(
    need_id: str,
    principal: AdvisorDep,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
) -> NeedPublic:
    return _with_etag(response, await needs.close_need(catalog.uow(), principal, need_id, version))


@router.delete(
    "/v1/needs/{need_id}",
    status_code=204,
    summary="Erase a need: deleted here, and a tombstone tells every service to delete its copy.",
)
async def erase_need(need_id: str, principal: AdvisorDep, catalog: CatalogDep) -> Response:
    await needs.erase_need(catalog.uow(), principal, need_id)
    return Response(status_code=204)
