"""Matching use cases: apply an offer or need event, then pair what now fits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lotse_matching.domain.model import Fit, Need, Offer, fit
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import MatchFound, NeedEvent, OfferEvent, OfferSummary, match_id_for
from lotse_shared.region import Region

__all__ = ["need_changed", "offer_changed"]

log = logging.getLogger(__name__)


async def offer_changed(
    event: OfferEvent, event_id: str, uow: UnitOfWork, region: Region, consumer: str
) -> int:
    """Store the offer's new state and pair it with every open need it fits."""
    offer = Offer(
        id=event.offer_id,
        title=event.title["de"],
        category=event.category,
        municipality=event.location.municipality,
        status=event.status,
        version=event.version,
    )
    async with uow:
        await uow.serialise_matching()
        if not await uow.first_delivery(consumer, event_id) or not await uow.read_model.save_offer(
            offer
        ):
            return 0
        found = 0
        for need in await uow.read_model.open_needs_in(offer.municipality):
            found += await _pair(uow, need, offer, region)
        await uow.commit()
    return found


async def need_changed(
    event: NeedEvent, event_id: str, uow: UnitOfWork, region: Region, consumer: str
) -> int:
    """Store the need's new state and pair it with every published offer that fits."""
    need = Need(
        id=event.need_id,
        reference=event.reference,
        advisor_id=event.advisor_id,
        municipality=event.municipality,
        categories=tuple(event.categories),
        status=event.status,
        version=event.version,
    )
    async with uow:
        await uow.serialise_matching()
        if not await uow.first_delivery(consumer, event_id) or not await uow.read_model.save_need(
            need
        ):
            return 0
        found = 0
        for offer in await uow.read_model.published_offers_in(need.municipality, need.categories):
            found += await _pair(uow, need, offer, region)
        await uow.commit()
    return found


async def _pair(uow: UnitOfWork, need: Need, offer: Offer, region: Region) -> int:
    result: Fit | None = fit(need, offer, region)
    if result is None:
        return 0
    match_id = match_id_for(need.id, offer.id)
    now = datetime.now(UTC)
    if not await uow.matches.add(match_id, need, offer, result, now):
        return 0
    await uow.publish(
        MatchFound(
            match_id=match_id,
            need_id=need.id,
            need_reference=need.reference,
            advisor_id=need.advisor_id,
            offer_id=offer.id,
            offer=OfferSummary(
                title=offer.title, category=offer.category, municipality=offer.municipality
            ),
            score=result.score,
            reasons=list(result.reasons),
            found_at=now,
        )
    )
    return 1
