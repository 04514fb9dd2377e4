"""Matching use cases: apply an offer or need event, then pair, re-check and invalidate.

Each event is handled in one transaction: the read model, the matches, the
inbox and the outgoing events commit together or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.eligibility import EligibilityRule
from lotse_matching.domain.fit import Fit, fit
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    MatchFound,
    MatchInvalidated,
    MatchReason,
    NeedDetails,
    NeedEvent,
    OfferDetails,
    OfferEvent,
    OfferSummary,
    match_id_for,
)
from lotse_shared.region import Region

__all__ = ["need_changed", "need_erased", "offer_changed"]

_OFFER_FIELDS = set(OfferDetails.model_fields)
_NEED_FIELDS = set(NeedDetails.model_fields)


def offer_from(event: OfferEvent) -> Offer:
    details = OfferDetails.model_validate(event.model_dump(include=_OFFER_FIELDS))
    return Offer(event.offer_id, event.provider_id, event.status, event.version, details)


def need_from(event: NeedEvent) -> Need:
    details = NeedDetails.model_validate(event.model_dump(include=_NEED_FIELDS))
    return Need(
        event.need_id, event.reference, event.advisor_id, event.status, event.version, details
    )


async def offer_changed(
    event: OfferEvent,
    event_id: str,
    uow: UnitOfWork,
    region: Region,
    rules: tuple[EligibilityRule, ...],
    consumer: str,
) -> None:
    """Store the offer's new state; re-check its matches; pair it with every open need it fits."""
    offer = offer_from(event)
    ctx = Context(datetime.now(UTC).date(), region)
    async with uow:
        await uow.serialise_matching()
        if not await uow.first_delivery(consumer, event_id):
            return
        if await uow.read_model.save_offer(offer):
            checked: set[str] = set()
            for active in await uow.matches.active_of_offer(offer.id):
                need = await uow.read_model.need(active.need_id)
                if need is not None:
                    checked.add(need.id)
                    await _pair(uow, need, offer, ctx, rules, active=True, changed="offer")
            for need in await uow.read_model.open_needs_wanting(offer.details.category):
                if need.id not in checked:
                    await _pair(uow, need, offer, ctx, rules, active=False, changed="offer")
        await uow.commit()


async def need_changed(
    event: NeedEvent,
    event_id: str,
    uow: UnitOfWork,
    region: Region,
    rules: tuple[EligibilityRule, ...],
    consumer: str,
) -> None:
    """Store the need's new state; re-check its matches; pair it with every published offer it fits."""
    need = need_from(event)
    ctx = Context(datetime.now(UTC).date(), region)
    async with uow:
        await uow.serialise_matching()
        if not await uow.first_delivery(consumer, event_id):
            return
        if await uow.read_model.save_need(need):
            checked: set[str] = set()
            for active in await uow.matches.active_of_need(need.id):
                offer = await uow.read_model.offer(active.offer_id)
                if offer is not None:
                    checked.add(offer.id)
                    await _pair(uow, need, offer, ctx, rules, active=True, changed="need")
            for offer in await uow.read_model.published_offers_of(need.details.categories):
                if offer.id not in checked:
                    await _pair(uow, need, offer, ctx, rules, active=False, changed="need")
        await uow.commit()


async def need_erased(need_id: str, uow: UnitOfWork) -> None:
    """A tombstone: forget the need and its matches; tell subscribers each active match is gone."""
    now = datetime.now(UTC)
    async with uow:
        await uow.serialise_matching()
        need = await uow.read_model.need(need_id)
        if need is not None:
            for active in await uow.matches.active_of_need(need_id):
                await uow.publish(_invalidated(need, active.offer_id, "erased", now))
        await uow.matches.erase_need(need_id)
        await uow.read_model.erase_need(need_id)
        await uow.commit()


async def _pair(
    uow: UnitOfWork,
    need: Need,
    offer: Offer,
    ctx: Context,
    rules: tuple[EligibilityRule, ...],
    *,
    active: bool,
    changed: str,
) -> None:
    now = datetime.now(UTC)
    result: Fit | None = fit(need, offer, ctx, rules)
    if result is not None:
        if await uow.matches.activate(match_id_for(need.id, offer.id), need, offer, result, now):
            await uow.publish(_found(need, offer, result, now))
        return
    if active:
        failure = first_failure(need, offer, ctx)
        reason = (
            failure if failure in ("full", "withdrawn", "need_closed") else f"{changed}_changed"
        )
        await uow.matches.invalidate(
            match_id_for(need.id, offer.id), reason.replace("offer_changed", "changed"), now
        )
        await uow.publish(
            _invalidated(need, offer.id, reason.replace("offer_changed", "changed"), now)
        )


def _found(need: Need, offer: Offer, result: Fit, now: datetime) -> MatchFound:
    details = offer.details
    return MatchFound(
        match_id=match_id_for(need.id, offer.id),
        need_id=need.id,
        need_reference=need.reference,
        advisor_id=need.advisor_id,
        offer_id=offer.id,
        offer=OfferSummary(
            title=details.title["de"],
            category=details.category,
            municipality=details.location.municipality,
            provider_id=offer.provider_id,
            start_date=details.start_date,
            rolling_start=details.rolling_start,
            contact_email=str(details.contact_email),
        ),
        score=result.score,
        reasons=[MatchReason(code=r.code, de=r.de, en=r.en) for r in result.reasons],
        eligibility=result.eligibility.value,
        found_at=now,
    )


def _invalidated(need: Need, offer_id: str, reason: str, now: datetime) -> MatchInvalidated:
    return MatchInvalidated.model_validate(
        {
            "match_id": match_id_for(need.id, offer_id),
            "need_id": need.id,
            "need_reference": need.reference,
            "advisor_id": need.advisor_id,
            "offer_id": offer_id,
            "reason": reason,
            "invalidated_at": now,
        }
    )
