"""The published offers as anyone may read them: no drafts, no reviews, nothing of a person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lotse_catalog.adapters.offer_listing import OfferFilter
from lotse_catalog.domain.errors import NotFound
from lotse_catalog.domain.model import Offer
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import OfferStatus

__all__ = ["PublishedOffers", "published_offer", "published_offers"]

_PUBLISHED = OfferFilter(status=OfferStatus.PUBLISHED)


@dataclass(frozen=True)
class PublishedOffers:
    offers: Sequence[Offer]
    provider_names: dict[str, str]
    next_cursor: str | None = None


async def _names(uow: UnitOfWork, offers: Sequence[Offer]) -> dict[str, str]:
    wanted = {o.provider_id for o in offers}
    return {p.id: p.details.name for p in await uow.providers.all() if p.id in wanted}


async def published_offers(uow: UnitOfWork, *, limit: int, cursor: str | None) -> PublishedOffers:
    """A page of the published offers, oldest change first, with their providers' names."""
    async with uow:
        page = await uow.offers.page(_PUBLISHED, limit=limit, cursor=cursor)
        return PublishedOffers(page.items, await _names(uow, page.items), page.next_cursor)


async def published_offer(uow: UnitOfWork, offer_id: str) -> PublishedOffers:
    """One published offer; a withdrawn or unknown one is not found."""
    async with uow:
        offer = await uow.offers.get(offer_id)
        if offer is None or offer.status is not OfferStatus.PUBLISHED:
            raise NotFound(f"no published offer {offer_id}")
        return PublishedOffers((offer,), await _names(uow, (offer,)))
