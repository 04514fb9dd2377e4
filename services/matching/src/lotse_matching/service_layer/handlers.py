"""Matching use cases: apply an offer or need event, then pair, re-check and invalidate.

Each event is handled in one transaction: the read model, the matches, the
inbox and the outgoing events commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.fit import Fit, fit
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.policy import MatchPolicy
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
from lotse_shared.database import chunks

__all__ = ["best_offers", "need_changed", "need_erased", "offer_changed"]

_CHUNK = 1_000  # needs loaded and matched at a time when one offer fits many
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
    event: OfferEvent, event_id: str, uow: UnitOfWork, policy: MatchPolicy, consumer: str
) -> None:
    """Store the offer's new state, then re-rank every need it touches."""
    offer = offer_from(event)
    async with uow:
        await uow.serialise_matching()
        if not await uow.first_delivery(consumer, event_id):
            return
        if await uow.read_model.save_offer(offer):
            holders = {m.need_id for m in await uow.matches.active_of_offer(offer.id)}
            await _enter(uow, offer, holders, policy)
            for need_id in sorted(holders):  # the offer changed under their matches
                holder = await uow.read_model.need(need_id)
                if holder is not None:
                    await _rank(uow, holder, policy, changed="offer")
        await uow.commit()


async def need_changed(
    event: NeedEvent, event_id: str, uow: UnitOfWork, policy: MatchPolicy, consumer: str
) -> None:
    """Store the need's new state, then rank the offers for it afresh."""
    need = need_from(event)
    async with uow:
        await uow.serialise_matching()
        if not await uow.first_delivery(consumer, event_id):
            return
        if await uow.read_model.save_need(need):
            await _rank(uow, need, policy, changed="need")
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


async def _enter(uow: UnitOfWork, offer: Offer, holders: set[str], policy: MatchPolicy) -> None:
    """Add the offer to every open need whose best K it now enters, displacing the weakest if full.

    Every need's active matches are its best K fitting offers after each
    transaction. So a need the offer does not fit, or whose weakest match
    still ranks higher, keeps its matches; for the others the new best K is
    the old one plus this offer, minus the weakest when there was no room.
    The needs are taken a chunk at a time, so memory does not grow with them.
    """
    now = datetime.now(UTC)
    ctx = Context(now.date(), policy.region)
    nids = await uow.read_model.fitting_needs(offer, ctx)
    for some in chunks(nids, _CHUNK):
        needs = await uow.read_model.needs_numbered(some)
        candidates = [n for n in needs if n.id not in holders]
        await _enter_chunk(uow, offer, candidates, policy, ctx, now)


async def _enter_chunk(
    uow: UnitOfWork,
    offer: Offer,
    candidates: list[Need],
    policy: MatchPolicy,
    ctx: Context,
    now: datetime,
) -> None:
    held = await uow.matches.active_ranks_of([n.id for n in candidates])
    entering: list[tuple[Need, Fit]] = []
    displaced: list[tuple[Need, str]] = []
    for need in candidates:
        result = fit(need, offer, ctx, policy.rules, policy.weights)
        if result is None:
            continue
        ranks = held.get(need.id, [])
        full = len(ranks) >= policy.max_per_need
        if full and not _ranks_above(result.score, offer.id, _weakest(ranks)):
            continue
        entering.append((need, result))
        if full:
            displaced.append((need, _weakest(ranks)[1]))
    # None of these needs holds the offer now (holders were left out), so each match is new.
    await uow.matches.activate_all(offer, entering, now)
    await uow.publish_all([_found(need, offer, result, now) for need, result in entering])
    await uow.matches.invalidate_all(
        [match_id_for(need.id, offer_id) for need, offer_id in displaced], "outranked", now
    )
    await uow.publish_all(
        [_invalidated(need, offer_id, "outranked", now) for need, offer_id in displaced]
    )


def _rank_key(score: float, offer_id: str) -> tuple[float, str]:
    """Best first: higher score, then the smaller offer id (every instance agrees on ties)."""
    return (-score, offer_id)


def _weakest(ranks: list[tuple[float, str]]) -> tuple[float, str]:
    return max(ranks, key=lambda r: _rank_key(*r))


def _ranks_above(score: float, offer_id: str, other: tuple[float, str]) -> bool:
    return _rank_key(score, offer_id) < _rank_key(*other)


def best_offers(
    need: Need, offers: Iterable[Offer], policy: MatchPolicy, today: date
) -> list[tuple[Offer, Fit]]:
    """The offers that fit ``need``, best first, at most ``policy.max_per_need``; ties go to the smaller id."""
    ctx = Context(today, policy.region)
    fitting = [
        (o, f) for o in offers if (f := fit(need, o, ctx, policy.rules, policy.weights)) is not None
    ]
    fitting.sort(key=lambda pair: _rank_key(pair[1].score, pair[0].id))
    return fitting[: policy.max_per_need]


async def _rank(uow: UnitOfWork, need: Need, policy: MatchPolicy, *, changed: str) -> None:
    """Make the need's active matches its best fitting offers: found ones published, lost ones invalidated."""
    now = datetime.now(UTC)
    offers = {o.id: o for o in await uow.read_model.published_offers_of(need.details.categories)}
    active = {m.offer_id for m in await uow.matches.active_of_need(need.id)}
    for offer_id in active - offers.keys():  # withdrawn, or no longer of a wanted kind
        offer = await uow.read_model.offer(offer_id)
        if offer is not None:
            offers[offer_id] = offer
    best = best_offers(need, offers.values(), policy, now.date())
    for offer, result in best:
        if await uow.matches.activate(match_id_for(need.id, offer.id), need, offer, result, now):
            await uow.publish(_found(need, offer, result, now))
    kept = {offer.id for offer, _ in best}
    ctx = Context(now.date(), policy.region)
    for offer_id in sorted(active - kept):
        reason = _invalidation_reason(need, offers.get(offer_id), ctx, changed)
        await uow.matches.invalidate(match_id_for(need.id, offer_id), reason, now)
        await uow.publish(_invalidated(need, offer_id, reason, now))


def _invalidation_reason(need: Need, offer: Offer | None, ctx: Context, changed: str) -> str:
    if offer is None:
        return "withdrawn"
    failure = first_failure(need, offer, ctx)
    if failure is None:
        return "outranked"  # still fits, but better offers took its place
    if failure in ("full", "withdrawn", "need_closed"):
        return failure
    return "changed" if changed == "offer" else "need_changed"


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
