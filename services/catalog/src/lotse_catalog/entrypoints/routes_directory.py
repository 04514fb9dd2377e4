"""Providers and advisors: registered, changed and deactivated by admins.

Advisors read their own entry and change their own preferences (language,
notifications); nothing else about them is theirs to change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from lotse_catalog.domain.errors import Forbidden, NotFound
from lotse_catalog.domain.model import Advisor, Provider
from lotse_catalog.entrypoints.dependencies import (
    Admin,
    AdminOrAdvisor,
    AnyRole,
    CatalogDep,
    ExpectedVersion,
    etag,
)
from lotse_catalog.entrypoints.schemas import (
    AdvisorIn,
    AdvisorPreferencesPatch,
    AdvisorPublic,
    ProviderIn,
    ProviderPublic,
)
from lotse_catalog.service_layer import directory
from lotse_shared.contracts import AdvisorDetails, ProviderDetails
from lotse_shared.http import merge_patch
from lotse_shared.problems import PROBLEM_RESPONSES, Problem

__all__ = ["router"]

router = APIRouter(tags=["directory"], responses=PROBLEM_RESPONSES)

PATCH_BODY = Body(
    media_type="application/merge-patch+json",
    description="JSON Merge Patch (RFC 7396): only the fields to change; null removes an optional field.",
    examples=[{"name": "VHS Schwerte (Zweigstelle)"}],
)
PREFERENCES_BODY = Body(
    media_type="application/merge-patch+json",
    description="JSON Merge Patch (RFC 7396) of `language` and `notifications` only.",
    examples=[{"language": "en", "notifications": {"mode": "daily_digest", "digest_hour": 7}}],
)
VERSION_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {"application/problem+json": {}}}
    for status, text in (
        (412, "Changed since the version sent in If-Match."),
        (428, "If-Match is missing."),
    )
}


def provider_public(provider: Provider) -> ProviderPublic:
    return ProviderPublic.model_validate(
        provider.details.model_dump()
        | {
            "id": provider.id,
            "active": provider.active,
            "version": provider.version,
            "updated_at": provider.updated_at,
        }
    )


def advisor_public(advisor: Advisor) -> AdvisorPublic:
    return AdvisorPublic.model_validate(
        advisor.details.model_dump()
        | {
            "id": advisor.id,
            "active": advisor.active,
            "version": advisor.version,
            "updated_at": advisor.updated_at,
        }
    )


@router.post("/v1/providers", status_code=201, summary="Register a provider.")
async def register_provider(body: ProviderIn, _: Admin, catalog: CatalogDep) -> ProviderPublic:
    details = ProviderDetails.model_validate(body.model_dump(exclude={"id"}))
    return provider_public(
        await directory.register_provider(catalog.uow(), catalog.region, details, body.id)
    )


@router.get("/v1/providers", summary="All providers.")
async def list_providers(_: AnyRole, catalog: CatalogDep) -> list[ProviderPublic]:
    async with catalog.uow() as uow:
        return [provider_public(p) for p in await uow.providers.all()]


@router.get("/v1/providers/{provider_id}", summary="One provider.")
async def get_provider(provider_id: str, _: AnyRole, catalog: CatalogDep) -> ProviderPublic:
    async with catalog.uow() as uow:
        provider = await uow.providers.get(provider_id)
    if provider is None:
        raise NotFound(f"no provider {provider_id}")
    return provider_public(provider)


@router.patch("/v1/providers/{provider_id}", summary="Change a provider's details.")
async def patch_provider(
    provider_id: str, _: Admin, catalog: CatalogDep, patch: dict[str, Any] = PATCH_BODY
) -> ProviderPublic:
    current = await get_provider(provider_id, _, catalog)
    merged = merge_patch(
        current.model_dump(mode="json", include=set(ProviderDetails.model_fields)), patch
    )
    details = ProviderDetails.model_validate(
        ProviderIn.model_validate(merged).model_dump(exclude={"id"})
    )
    return provider_public(
        await directory.revise_provider(catalog.uow(), catalog.region, provider_id, details)
    )


@router.delete(
    "/v1/providers/{provider_id}", summary="Deactivate a provider and withdraw its offers."
)
async def deactivate_provider(provider_id: str, _: Admin, catalog: CatalogDep) -> ProviderPublic:
    provider, _withdrawn = await directory.deactivate_provider(catalog.uow(), provider_id)
    return provider_public(provider)


@router.post("/v1/advisors", status_code=201, summary="Register an advisor.")
async def register_advisor(body: AdvisorIn, _: Admin, catalog: CatalogDep) -> AdvisorPublic:
    details = AdvisorDetails.model_validate(body.model_dump(exclude={"id"}))
    return advisor_public(
        await directory.register_advisor(catalog.uow(), catalog.region, details, body.id)
    )


@router.get("/v1/advisors", summary="All advisors.")
async def list_advisors(_: Admin, catalog: CatalogDep) -> list[AdvisorPublic]:
    async with catalog.uow() as uow:
        return [advisor_public(a) for a in await uow.advisors.all()]


async def _advisor(catalog: CatalogDep, advisor_id: str) -> Advisor:
    async with catalog.uow() as uow:
        advisor = await uow.advisors.get(advisor_id)
    if advisor is None:
        raise NotFound(f"no advisor {advisor_id}")
    return advisor


def _with_etag(response: Response, advisor: Advisor) -> AdvisorPublic:
    response.headers["ETag"] = etag(advisor.version)
    return advisor_public(advisor)


@router.get(
    "/v1/advisors/{advisor_id}",
    summary="One advisor (admins, or the advisor themself), with its version as ETag.",
)
async def get_advisor(
    advisor_id: str, principal: AnyRole, catalog: CatalogDep, response: Response
) -> AdvisorPublic:
    if not (principal.is_admin or principal.sub == advisor_id):
        raise Forbidden("advisors see only their own entry")
    return _with_etag(response, await _advisor(catalog, advisor_id))


@router.patch("/v1/advisors/{advisor_id}", summary="Change an advisor's details.")
async def patch_advisor(
    advisor_id: str,
    _: Admin,
    catalog: CatalogDep,
    response: Response,
    patch: dict[str, Any] = PATCH_BODY,
) -> AdvisorPublic:
    current = await _advisor(catalog, advisor_id)
    merged = merge_patch(current.details.model_dump(mode="json"), patch)
    details = AdvisorDetails.model_validate(
        AdvisorIn.model_validate(merged).model_dump(exclude={"id"})
    )
    return _with_etag(
        response,
        await directory.revise_advisor(catalog.uow(), catalog.region, advisor_id, details),
    )


@router.patch(
    "/v1/advisors/{advisor_id}/preferences",
    summary="An advisor changes their own email language and notification preference.",
    description=(
        "For the advisor themself (and admins); another advisor's id answers 404. "
        "Send If-Match with the ETag of `GET /v1/advisors/{advisor_id}`. "
        "Published as advisor.updated on lotse.directory."
    ),
    responses=VERSION_RESPONSES,
)
async def patch_advisor_preferences(
    advisor_id: str,
    principal: AdminOrAdvisor,
    version: ExpectedVersion,
    catalog: CatalogDep,
    response: Response,
    patch: Annotated[AdvisorPreferencesPatch, PREFERENCES_BODY],
) -> AdvisorPublic:
    if not (principal.is_admin or principal.sub == advisor_id):
        raise NotFound(f"no advisor {advisor_id}")  # another advisor's entry: reveal nothing
    current = await _advisor(catalog, advisor_id)
    merged = merge_patch(
        current.details.model_dump(mode="json"), patch.model_dump(mode="json", exclude_unset=True)
    )
    details = AdvisorDetails.model_validate(merged)
    return _with_etag(
        response,
        await directory.revise_advisor(
            catalog.uow(), catalog.region, advisor_id, details, expected_version=version
        ),
    )


@router.delete(
    "/v1/advisors/{advisor_id}", summary="Deactivate an advisor; they get no more emails."
)
async def deactivate_advisor(advisor_id: str, _: Admin, catalog: CatalogDep) -> AdvisorPublic:
    return advisor_public(await directory.deactivate_advisor(catalog.uow(), advisor_id))
