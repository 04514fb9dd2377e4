"""Providers and advisors: registered, changed and deactivated by admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from lotse_catalog.domain.errors import Forbidden, NotFound
from lotse_catalog.domain.model import Advisor, Provider
from lotse_catalog.entrypoints.dependencies import Admin, AnyRole, CatalogDep
from lotse_catalog.entrypoints.schemas import AdvisorIn, AdvisorPublic, ProviderIn, ProviderPublic
from lotse_catalog.service_layer import directory
from lotse_shared.contracts import AdvisorDetails, ProviderDetails
from lotse_shared.http import merge_patch
from lotse_shared.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(tags=["directory"], responses=PROBLEM_RESPONSES)

PATCH_BODY = Body(
    media_type="application/merge-patch+json",
    description="JSON Merge Patch (RFC 7396): only the fields to change; null removes an optional field.",
    examples=[{"name": "VHS Schwerte (Zweigstelle)"}],
)


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


@router.get("/v1/advisors/{advisor_id}", summary="One advisor (admins, or the advisor themself).")
async def get_advisor(advisor_id: str, principal: AnyRole, catalog: CatalogDep) -> AdvisorPublic:
    if not (principal.is_admin or principal.sub == advisor_id):
        raise Forbidden("advisors see only their own entry")
    async with catalog.uow() as uow:
        advisor = await uow.advisors.get(advisor_id)
    if advisor is None:
        raise NotFound(f"no advisor {advisor_id}")
    return advisor_public(advisor)


@router.patch("/v1/advisors/{advisor_id}", summary="Change an advisor's details.")
async def patch_advisor(
    advisor_id: str, principal: Admin, catalog: CatalogDep, patch: dict[str, Any] = PATCH_BODY
) -> AdvisorPublic:
    current = await get_advisor(advisor_id, principal, catalog)
    merged = merge_patch(
        current.model_dump(mode="json", include=set(AdvisorDetails.model_fields)), patch
    )
    details = AdvisorDetails.model_validate(
        AdvisorIn.model_validate(merged).model_dump(exclude={"id"})
    )
    return advisor_public(
        await directory.revise_advisor(catalog.uow(), catalog.region, advisor_id, details)
    )


@router.delete(
    "/v1/advisors/{advisor_id}", summary="Deactivate an advisor; they get no more emails."
)
async def deactivate_advisor(advisor_id: str, _: Admin, catalog: CatalogDep) -> AdvisorPublic:
    return advisor_public(await directory.deactivate_advisor(catalog.uow(), advisor_id))
