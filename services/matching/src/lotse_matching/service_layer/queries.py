"""What advisors, providers and coordinators may see of matches, and the advisor's decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lotse_matching.service_layer.errors import EndedMatch, NotAllowed, NotFound
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import MatchDecided, MatchStatus
from lotse_shared.identity import Principal, Role

__all__ = [
    "NeedCounts",
    "OfferCounts",
    "decide",
    "match",
    "match_counts",
    "matches_of_need",
    "offer_counts",
    "offer_match_counts",
]


async def _own_need(uow: UnitOfWork, principal: Principal, need_id: str) -> None:
    if principal.role is not Role.ADVISOR:
        raise NotAllowed("only advisors see matches of needs")
    need = await uow.read_model.need(need_id)
    if need is None or need.advisor_id != principal.sub:
        raise NotFound(f"no need {need_id}")


async def matches_of_need(
    uow: UnitOfWork, principal: Principal, need_id: str, *, ended: bool = False
) -> list[dict[str, Any]]:
    """The need's active matches, best first (with ``ended``, then the ended ones); only for
    the advisor who owns the need."""
    async with uow:
        await _own_need(uow, principal, need_id)
        return list(await uow.queries.for_need(need_id, ended=ended))


@dataclass(frozen=True)
class NeedCounts:
    need_id: str
    active: int
    new: int


async def match_counts(
    uow: UnitOfWork,
    principal: Principal,
    since: datetime | None,
    only: Sequence[str] | None = None,
) -> list[NeedCounts]:
    """For each of the advisor's needs (or those of them in ``only``): active matches, and
    those found after ``since``."""
    if principal.role is not Role.ADVISOR:
        raise NotAllowed("only advisors have needs")
    async with uow:
        need_ids = await uow.queries.needs_of_advisor(principal.sub)
        if only is not None:
            wanted = set(only)
            need_ids = [n for n in need_ids if n in wanted]
        counts = await uow.queries.counts_per_need(need_ids, since)
    return [NeedCounts(n, *counts.get(n, (0, 0))) for n in need_ids]


async def match(uow: UnitOfWork, principal: Principal, match_id: str) -> dict[str, Any]:
    """One match, as an email links to it: still active or not; only for the need's advisor."""
    async with uow:
        found = await uow.queries.details(match_id)
        if found is None:
            raise NotFound(f"no match {match_id}")
        try:
            await _own_need(uow, principal, found["need_id"])
        except NotFound:
            raise NotFound(f"no match {match_id}") from None
        return found


async def offer_counts(uow: UnitOfWork, principal: Principal, offer_id: str) -> dict[str, int]:
    """How many needs an offer is proposed for: counts only, never the needs."""
    async with uow:
        offer = await uow.read_model.offer(offer_id)
        if offer is None or not (principal.is_admin or principal.sub == offer.provider_id):
            raise NotFound(f"no offer {offer_id}")
        return await uow.queries.counts_for_offer(offer_id)


@dataclass(frozen=True)
class OfferCounts:
    offer_id: str
    active: int
    accepted: int
    declined: int


async def offer_match_counts(
    uow: UnitOfWork, principal: Principal, offer_ids: Sequence[str]
) -> list[OfferCounts]:
    """The counts of each offer the caller may see, in the order asked (a provider sees only
    its own; unknown ones are left out): counts only, never the needs."""
    if not (principal.is_admin or principal.role is Role.PROVIDER):
        raise NotAllowed("only providers and admins see offers' counts")
    wanted = list(dict.fromkeys(offer_ids))
    async with uow:
        owners = await uow.queries.owners_of_offers(wanted)
        visible = [
            o for o in wanted if o in owners and (principal.is_admin or owners[o] == principal.sub)
        ]
        counts = await uow.queries.counts_for_offers(visible)
    return [OfferCounts(o, **counts[o]) for o in visible]


async def decide(
    uow: UnitOfWork, principal: Principal, match_id: str, decision: str, reason: str | None
) -> MatchDecided:
    """Record the advisor's decision on an active match and publish it."""
    now = datetime.now(UTC)
    async with uow:
        match = await uow.queries.get(match_id)
        if match is None:
            raise NotFound(f"no match {match_id}")
        await _own_need(uow, principal, match.need_id)
        if match.status is not MatchStatus.ACTIVE:
            raise EndedMatch(f"match {match_id} no longer holds")
        await uow.matches.record_decision(match_id, decision, reason, now)
        event = MatchDecided.model_validate(
            {
                "match_id": match_id,
                "need_id": match.need_id,
                "advisor_id": principal.sub,
                "offer_id": match.offer_id,
                "decision": decision,
                "decline_reason": reason,
                "decided_at": now,
            }
        )
        await uow.publish([event])
        await uow.commit()
    return event
