"""Matching use cases: apply offer and need changes, then pair, re-check and invalidate.

The changes of one call are applied in order in one transaction: the read
model, the matches, the inbox and the outgoing events commit together or not
at all. A run of need changes is ranked together, with a few statements for
the whole run instead of a few for each need. Each outgoing event goes on in
the trace of the change that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lotse_matching.domain.model import Need, Offer
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer.match_events import match_invalidated
from lotse_matching.service_layer.ranking import enter_offer, rank_needs
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    MATCHES,
    InvalidationReason,
    NeedDetails,
    NeedEvent,
    OfferDetails,
    OfferEvent,
)

__all__ = [
    "Change",
    "NeedChange",
    "NeedErasure",
    "OfferChange",
    "apply",
    "need_from",
    "offer_from",
]

_OFFER_FIELDS = tuple(OfferDetails.model_fields)
_NEED_FIELDS = tuple(NeedDetails.model_fields)

# An event was validated in full where it entered (decoded from its Kafka record), and an event
# is its details and more: they are taken from its typed fields, not validated a second time.


def offer_from(event: OfferEvent) -> Offer:
    details = OfferDetails.model_construct(**{f: getattr(event, f) for f in _OFFER_FIELDS})
    return Offer(event.offer_id, event.provider_id, event.status, event.version, details)


def need_from(event: NeedEvent) -> Need:
    details = NeedDetails.model_construct(**{f: getattr(event, f) for f in _NEED_FIELDS})
    return Need(
        event.need_id, event.reference, event.advisor_id, event.status, event.version, details
    )


@dataclass(frozen=True)
class OfferChange:
    """An offer event: the offer's new state, the event's id and its trace."""

    offer: Offer
    event_id: str
    trace: str | None = None


@dataclass(frozen=True)
class NeedChange:
    """A need event: the need's new state, the event's id and its trace."""

    need: Need
    event_id: str
    trace: str | None = None


@dataclass(frozen=True)
class NeedErasure:
    """A tombstone on the needs topic."""

    need_id: str


Change = OfferChange | NeedChange | NeedErasure


async def apply(
    changes: Sequence[Change], uow: UnitOfWork, policy: MatchPolicy, consumer: str
) -> None:
    """Apply ``changes`` in order, in one transaction; events applied before change nothing."""
    async with uow:
        await uow.serialise_matching()
        fresh = await uow.first_deliveries(
            consumer, [c.event_id for c in changes if not isinstance(c, NeedErasure)]
        )
        run: dict[str, NeedChange] = {}
        for change in changes:
            if isinstance(change, NeedErasure):
                await _needs_changed(uow, run, policy)
                await _need_erased(uow, change.need_id)
                continue
            if change.event_id not in fresh:
                continue
            fresh.discard(change.event_id)  # a second copy within the batch
            if isinstance(change, NeedChange):
                if change.need.id in run:  # the same need again: rank its first state first
                    await _needs_changed(uow, run, policy)
                run[change.need.id] = change
            else:
                await _needs_changed(uow, run, policy)
                await _offer_changed(uow, change, policy)
        await _needs_changed(uow, run, policy)
        await uow.commit()


async def _offer_changed(uow: UnitOfWork, change: OfferChange, policy: MatchPolicy) -> None:
    """Store the offer's new state, then re-rank every need it touches."""
    offer = change.offer
    if not await uow.read_model.save_offer(offer):
        return
    holders = {m.need_id for m in await uow.matches.active_of_offer(offer.id)}
    await enter_offer(uow, offer, holders, policy, change.trace)
    if holders:  # the offer changed under their matches
        needs = await uow.read_model.needs_with_ids(sorted(holders))
        traces = dict.fromkeys(holders, change.trace)
        await rank_needs(uow, needs, policy, traces, changed="offer")


async def _needs_changed(uow: UnitOfWork, run: dict[str, NeedChange], policy: MatchPolicy) -> None:
    """Store the needs' new states, then rank the offers for each afresh; empties ``run``."""
    if not run:
        return
    changes = list(run.values())
    run.clear()
    stored = await uow.read_model.save_needs([c.need for c in changes])
    traces = {c.need.id: c.trace for c in changes}
    await rank_needs(uow, stored, policy, traces, changed="need")


async def _need_erased(uow: UnitOfWork, need_id: str) -> None:
    """A tombstone: forget the need and its matches; tell subscribers each active match is gone.

    Match events about it not yet published are dropped: news of an erased need is no news.
    A tombstone brings no trace, so the invalidations go on in the batch's.
    """
    now = datetime.now(UTC)
    await uow.discard_unpublished(MATCHES.name, need_id)
    need = await uow.read_model.need(need_id)
    if need is not None:
        active = await uow.matches.active_of_need(need_id)
        await uow.publish(
            [match_invalidated(need, m.offer_id, InvalidationReason.ERASED, now) for m in active]
        )
    await uow.matches.erase_need(need_id)
    await uow.read_model.erase_need(need_id)
