"""Use cases of offers: providers publish, change and withdraw their own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lotse_catalog.domain.errors import Forbidden, InvalidField, NotFound
from lotse_catalog.domain.model import Offer, require_municipality
from lotse_catalog.service_layer.events import offer_event
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import OfferDetails, OfferPublished, OfferUpdated, OfferWithdrawn
from lotse_shared.identity import Principal, Role
from lotse_shared.region import Region

__all__ = [
    "ImportRow",
    "import_offers",
    "preview_offer",
    "publish_offer",
    "revise_offer",
    "withdraw_offer",
]


def check_region(region: Region, details: OfferDetails) -> None:
    """The venue and every municipality served must belong to the district."""
    require_municipality(region, "location.municipality", details.location.municipality)
    for i, ags in enumerate(details.service_area):
        require_municipality(region, f"service_area[{i}]", ags)


def publishing_provider(principal: Principal, provider_id: str | None) -> str:
    """Providers publish as themselves; admins name the provider they act for."""
    if principal.role is Role.PROVIDER:
        if provider_id not in (None, principal.sub):
            raise Forbidden("providers publish only their own offers")
        return principal.sub
    if principal.is_admin:
        if provider_id is None:
            raise InvalidField("provider_id", "required when an admin publishes an offer")
        return provider_id
    raise Forbidden("only providers and admins publish offers")


def _may_change(principal: Principal, offer: Offer) -> None:
    if not (
        principal.is_admin
        or (principal.role is Role.PROVIDER and principal.sub == offer.provider_id)
    ):
        raise Forbidden("providers change only their own offers")


async def _active_provider(uow: UnitOfWork, provider_id: str) -> None:
    provider = await uow.providers.get(provider_id)
    if provider is None or not provider.active:
        raise InvalidField("provider_id", f"no active provider {provider_id!r}")


async def publish_offer(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    details: OfferDetails,
    provider_id: str | None = None,
) -> Offer:
    owner = publishing_provider(principal, provider_id)
    check_region(region, details)
    offer = Offer(id=str(uuid.uuid4()), provider_id=owner, details=details)
    async with uow:
        await _active_provider(uow, owner)
        await uow.offers.add(offer)
        await uow.publish(offer_event(OfferPublished, offer))
        await uow.commit()
    return offer


async def preview_offer(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    details: OfferDetails,
    provider_id: str | None = None,
) -> str:
    """Every check :func:`publish_offer` makes, storing and publishing nothing.

    Returns the provider the offer would be published for; raises what
    publishing would raise.
    """
    owner = publishing_provider(principal, provider_id)
    check_region(region, details)
    async with uow:  # left without commit: the check reads, never writes
        await _active_provider(uow, owner)
    return owner


async def revise_offer(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    offer_id: str,
    details: OfferDetails,
    expected_version: int,
) -> Offer:
    check_region(region, details)
    async with uow:
        offer = await uow.offers.get(offer_id, for_update=True)
        if offer is None:
            raise NotFound(f"no offer {offer_id}")
        _may_change(principal, offer)
        offer.revise(details, expected_version)
        await uow.offers.save(offer)
        await uow.publish(offer_event(OfferUpdated, offer))
        await uow.commit()
    return offer


async def withdraw_offer(
    uow: UnitOfWork, principal: Principal, offer_id: str, expected_version: int
) -> Offer:
    async with uow:
        offer = await uow.offers.get(offer_id, for_update=True)
        if offer is None:
            raise NotFound(f"no offer {offer_id}")
        _may_change(principal, offer)
        offer.withdraw(expected_version)
        await uow.offers.save(offer)
        await uow.publish(offer_event(OfferWithdrawn, offer))
        await uow.commit()
    return offer


@dataclass(frozen=True)
class ImportRow:
    """One row of a bulk import: its details, or why they could not be read."""

    number: int
    details: OfferDetails | None
    errors: Sequence[dict[str, str]] = ()


async def import_offers(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    rows: Sequence[ImportRow],
    *,
    partial: bool,
    provider_id: str | None = None,
) -> tuple[list[Offer], list[ImportRow]]:
    """Publish every valid row in one transaction.

    All-or-nothing (the default) stores nothing when any row is invalid;
    partial mode stores the valid rows and reports the others.
    """
    owner = publishing_provider(principal, provider_id)
    checked: list[ImportRow] = []
    for row in rows:
        if row.details is not None:
            try:
                check_region(region, row.details)
            except InvalidField as exc:
                row = ImportRow(row.number, None, [{"field": exc.field, "reason": exc.reason}])
        checked.append(row)
    failed = [r for r in checked if r.details is None]
    if failed and not partial:
        return [], failed
    offers = [
        Offer(id=str(uuid.uuid4()), provider_id=owner, details=r.details)
        for r in checked
        if r.details
    ]
    async with uow:
        await _active_provider(uow, owner)
        for offer in offers:
            await uow.offers.add(offer)
            await uow.publish(offer_event(OfferPublished, offer))
        await uow.commit()
    return offers, failed
