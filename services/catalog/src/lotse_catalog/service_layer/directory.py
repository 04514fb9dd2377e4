"""Use cases of the directory: providers and advisors, managed by KI coordinators."""

from __future__ import annotations

import uuid

from lotse_catalog.domain.errors import Conflict, NotFound
from lotse_catalog.domain.model import Advisor, Offer, Provider, require_municipality
from lotse_catalog.service_layer.events import advisor_event, offer_event, provider_event
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    AdvisorDetails,
    AdvisorRegistered,
    AdvisorRemoved,
    AdvisorUpdated,
    OfferWithdrawn,
    ProviderDetails,
    ProviderRegistered,
    ProviderUpdated,
)
from lotse_shared.region import Region

__all__ = [
    "deactivate_advisor",
    "deactivate_provider",
    "register_advisor",
    "register_provider",
    "revise_advisor",
    "revise_provider",
]


async def register_provider(
    uow: UnitOfWork, region: Region, details: ProviderDetails, provider_id: str | None = None
) -> Provider:
    require_municipality(region, "municipality", details.municipality)
    provider = Provider(id=provider_id or str(uuid.uuid4()), details=details)
    async with uow:
        if await uow.providers.get(provider.id) is not None:
            raise Conflict(f"provider {provider.id} exists already")
        await uow.providers.add(provider)
        await uow.publish(provider_event(ProviderRegistered, provider))
        await uow.commit()
    return provider


async def revise_provider(
    uow: UnitOfWork, region: Region, provider_id: str, details: ProviderDetails
) -> Provider:
    require_municipality(region, "municipality", details.municipality)
    async with uow:
        provider = await uow.providers.get(provider_id, for_update=True)
        if provider is None:
            raise NotFound(f"no provider {provider_id}")
        provider.revise(details)
        await uow.providers.save(provider)
        await uow.publish(provider_event(ProviderUpdated, provider))
        await uow.commit()
    return provider


async def deactivate_provider(uow: UnitOfWork, provider_id: str) -> tuple[Provider, list[Offer]]:
    """Deactivate a provider and withdraw its published offers in the same transaction."""
    async with uow:
        provider = await uow.providers.get(provider_id, for_update=True)
        if provider is None:
            raise NotFound(f"no provider {provider_id}")
        provider.deactivate()
        await uow.providers.save(provider)
        await uow.publish(provider_event(ProviderUpdated, provider))
        withdrawn = list(await uow.offers.published_by(provider_id))
        for offer in withdrawn:
            offer.withdraw(expected_version=None)
            await uow.offers.save(offer)
            await uow.publish(offer_event(OfferWithdrawn, offer))
        await uow.commit()
    return provider, withdrawn


async def register_advisor(
    uow: UnitOfWork, region: Region, details: AdvisorDetails, advisor_id: str | None = None
) -> Advisor:
    require_municipality(region, "municipality", details.municipality)
    advisor = Advisor(id=advisor_id or str(uuid.uuid4()), details=details)
    async with uow:
        if await uow.advisors.get(advisor.id) is not None:
            raise Conflict(f"advisor {advisor.id} exists already")
        await uow.advisors.add(advisor)
        await uow.publish(advisor_event(AdvisorRegistered, advisor))
        await uow.commit()
    return advisor


async def revise_advisor(
    uow: UnitOfWork, region: Region, advisor_id: str, details: AdvisorDetails
) -> Advisor:
    require_municipality(region, "municipality", details.municipality)
    async with uow:
        advisor = await uow.advisors.get(advisor_id, for_update=True)
        if advisor is None:
            raise NotFound(f"no advisor {advisor_id}")
        advisor.revise(details)
        await uow.advisors.save(advisor)
        await uow.publish(advisor_event(AdvisorUpdated, advisor))
        await uow.commit()
    return advisor


async def deactivate_advisor(uow: UnitOfWork, advisor_id: str) -> Advisor:
    async with uow:
        advisor = await uow.advisors.get(advisor_id, for_update=True)
        if advisor is None:
            raise NotFound(f"no advisor {advisor_id}")
        advisor.deactivate()
        await uow.advisors.save(advisor)
        await uow.publish(advisor_event(AdvisorRemoved, advisor))
        await uow.commit()
    return advisor
