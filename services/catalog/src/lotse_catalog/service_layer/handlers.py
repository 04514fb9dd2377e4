"""Catalog use cases: each stores an entity and queues its event in one transaction."""

from __future__ import annotations

import uuid

from lotse_catalog.domain.commands import PublishOffer, RegisterAdvisor, RegisterNeed
from lotse_catalog.domain.errors import Conflict, InvalidField
from lotse_catalog.domain.model import Advisor, Need, Offer, new_reference
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import AdvisorRegistered, NeedRegistered, OfferPublished
from lotse_shared.region import Region

__all__ = ["publish_offer", "register_advisor", "register_need"]


def _require_municipality(region: Region, field: str, ags: str) -> None:
    if ags not in region:
        raise InvalidField(field, f"{ags} is not a municipality of {region.name}")


async def register_advisor(command: RegisterAdvisor, uow: UnitOfWork) -> Advisor:
    advisor = Advisor(
        id=command.advisor_id or str(uuid.uuid4()), name=command.name, email=command.email
    )
    async with uow:
        if await uow.advisors.get(advisor.id) is not None:
            raise Conflict(f"advisor {advisor.id} exists already")
        await uow.advisors.add(advisor)
        await uow.publish(
            AdvisorRegistered(
                advisor_id=advisor.id,
                name=advisor.name,
                email=advisor.email,
                active=advisor.active,
                version=advisor.version,
                updated_at=advisor.updated_at,
            )
        )
        await uow.commit()
    return advisor


async def publish_offer(command: PublishOffer, uow: UnitOfWork, region: Region) -> Offer:
    _require_municipality(region, "municipality", command.municipality)
    offer = Offer(
        id=str(uuid.uuid4()),
        title=command.title,
        category=command.category,
        municipality=command.municipality,
        provider_id=command.provider_id,
    )
    async with uow:
        await uow.offers.add(offer)
        await uow.publish(
            OfferPublished(
                offer_id=offer.id,
                provider_id=offer.provider_id,
                title=offer.title,
                category=offer.category,
                municipality=offer.municipality,
                status=offer.status,
                version=offer.version,
                updated_at=offer.updated_at,
            )
        )
        await uow.commit()
    return offer


async def register_need(command: RegisterNeed, uow: UnitOfWork, region: Region) -> Need:
    _require_municipality(region, "municipality", command.municipality)
    async with uow:
        advisor = await uow.advisors.get(command.advisor_id)
        if advisor is None or not advisor.active:
            raise InvalidField("advisor_id", f"no active advisor {command.advisor_id!r}")
        reference = new_reference(region.reference_prefix)
        while await uow.needs.reference_taken(reference):
            reference = new_reference(region.reference_prefix)
        need = Need(
            id=str(uuid.uuid4()),
            reference=reference,
            advisor_id=advisor.id,
            municipality=command.municipality,
            categories=list(dict.fromkeys(command.categories)),
            case_reference=command.case_reference,
        )
        await uow.needs.add(need)
        # The case reference stays here: it never goes to Kafka.
        await uow.publish(
            NeedRegistered(
                need_id=need.id,
                reference=need.reference,
                advisor_id=need.advisor_id,
                municipality=need.municipality,
                categories=need.categories,
                status=need.status,
                version=need.version,
                updated_at=need.updated_at,
            )
        )
        await uow.commit()
    return need
