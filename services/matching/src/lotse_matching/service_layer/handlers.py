"""Matching use cases: apply offer and need changes, then pair, re-check and invalidate.

The changes of one call are applied in order in one transaction: the read
model, the matches, the inbox and the outgoing events commit together or not
at all. A run of need changes is ranked together, with a few statements for
the whole run instead of a few for each need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.fit import Fit, fit, fit_of_found
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.offer_table import OfferTable
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    MATCHES,
    Event,
    InvalidationReason,
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
from lotse_shared.observability import continued

__all__ = [
    "Change",
    "NeedChange",
    "NeedErasure",
    "OfferChange",
    "apply",
    "best_offers",
    "best_offers_found",
    "need_from",
    "offer_from",
]

_CHUNK = 1_000  # needs loaded and matched at a time when one offer fits many
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
    await _enter(uow, offer, holders, policy, change.trace)
    if holders:  # the offer changed under their matches
        needs = await uow.read_model.needs_with_ids(sorted(holders))
        await _rank(uow, needs, policy, dict.fromkeys(holders, change.trace), changed="offer")


async def _needs_changed(uow: UnitOfWork, run: dict[str, NeedChange], policy: MatchPolicy) -> None:
    """Store the needs' new states, then rank the offers for each afresh; empties ``run``."""
    if not run:
        return
    changes = list(run.values())
    run.clear()
    stored = await uow.read_model.save_needs([c.need for c in changes])
    traces = {c.need.id: c.trace for c in changes}
    await _rank(uow, stored, policy, traces, changed="need")


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
            [_invalidated(need, m.offer_id, InvalidationReason.ERASED, now) for m in active]
        )
    await uow.matches.erase_need(need_id)
    await uow.read_model.erase_need(need_id)


async def _enter(
    uow: UnitOfWork, offer: Offer, holders: set[str], policy: MatchPolicy, trace: str | None
) -> None:
    """Add the offer to every open need whose best K it now enters, displacing the weakest if full.

    Every need's active matches are its best K fitting offers after each
    transaction. So a need the offer does not fit, or whose weakest match
    still ranks higher, keeps its matches; for the others the new best K is
    the old one plus this offer, minus the weakest when there was no room.
    The needs are taken a chunk at a time, so memory does not grow with them.
    Their events go on in ``trace``, the offer change's, in a span of their own.
    """
    now = datetime.now(UTC)
    ctx = Context(now.date(), policy.region)
    span = continued(trace)
    nids = await uow.read_model.fitting_needs(offer, ctx)
    for some in chunks(nids, _CHUNK):
        needs = await uow.read_model.needs_numbered(some)
        candidates = [n for n in needs if n.id not in holders]
        await _enter_chunk(uow, offer, candidates, policy, ctx, now, span)


async def _enter_chunk(
    uow: UnitOfWork,
    offer: Offer,
    candidates: list[Need],
    policy: MatchPolicy,
    ctx: Context,
    now: datetime,
    span: str,
) -> None:
    held = await uow.matches.active_ranks_of([n.id for n in candidates])
    entering: list[tuple[Need, Fit]] = []
    displaced: list[tuple[Need, str]] = []
    for need in candidates:  # the index found them: each fits the offer
        result = fit_of_found(need, offer, ctx, policy.rules, policy.weights)
        ranks = held.get(need.id, [])
        full = len(ranks) >= policy.max_per_need
        if full and not _ranks_above(result.score, offer.id, _weakest(ranks)):
            continue
        entering.append((need, result))
        if full:
            displaced.append((need, _weakest(ranks)[1]))
    # None of these needs holds the offer now (holders were left out), so each match is new.
    await uow.matches.activate_ranked([(need, offer, result) for need, result in entering], now)
    await uow.matches.invalidate_all(
        [match_id_for(need.id, offer_id) for need, offer_id in displaced],
        InvalidationReason.OUTRANKED,
        now,
    )
    summaries: dict[str, OfferSummary] = {}  # one offer: its summary is made once
    outgoing: list[Event] = [
        _found(need, offer, result, now, summaries) for need, result in entering
    ]
    outgoing += [
        _invalidated(need, offer_id, InvalidationReason.OUTRANKED, now)
        for need, offer_id in displaced
    ]
    await uow.publish(outgoing, trace=span)


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
    """The offers that fit ``need``, best first, at most ``policy.max_per_need``; ties go to the smaller id.

    Every hard condition is checked on every offer, pair by pair: the
    reference :func:`best_offers_found` is held to.
    """
    ctx = Context(today, policy.region)
    fitting = [
        (o, f) for o in offers if (f := fit(need, o, ctx, policy.rules, policy.weights)) is not None
    ]
    return _best(fitting, policy)


def best_offers_found(
    need: Need, table: OfferTable, policy: MatchPolicy, ctx: Context
) -> list[tuple[Offer, Fit]]:
    """:func:`best_offers` of the table's offers, scoring just those the table finds for ``need``."""
    found = table.fitting(need)
    return _best(
        [(o, fit_of_found(need, o, ctx, policy.rules, policy.weights)) for o in found], policy
    )


def _best(fitting: list[tuple[Offer, Fit]], policy: MatchPolicy) -> list[tuple[Offer, Fit]]:
    fitting.sort(key=lambda pair: _rank_key(pair[1].score, pair[0].id))
    return fitting[: policy.max_per_need]


async def _rank(
    uow: UnitOfWork,
    needs: Sequence[Need],
    policy: MatchPolicy,
    traces: Mapping[str, str | None],
    *,
    changed: str,
) -> None:
    """Make each need's active matches its best fitting offers: found ones published, lost ones invalidated.

    ``traces`` gives, for each need, the trace of the change that touched it;
    the need's events carry a child of it, one span for all events of a trace.
    """
    if not needs:
        return
    now = datetime.now(UTC)
    ctx = Context(now.date(), policy.region)
    kinds = sorted({c for n in needs for c in n.details.categories})
    published = await uow.read_model.published_offers_of(kinds)
    table = OfferTable(published, ctx)
    offers = {o.id: o for o in published}
    ranks = await uow.matches.active_ranks_of([n.id for n in needs])
    active = {need_id: {offer_id for _, offer_id in rs} for need_id, rs in ranks.items()}
    held = {offer_id for ids in active.values() for offer_id in ids}
    for o in await uow.read_model.offers_with_ids(sorted(held - offers.keys())):
        offers[o.id] = o  # withdrawn, or no longer of a wanted kind: why its matches end
    ranked: list[tuple[Need, Offer, Fit]] = []
    lost: list[tuple[Need, str, InvalidationReason]] = []
    for need in needs:
        mine = active.get(need.id, set())
        best = best_offers_found(need, table, policy, ctx)
        ranked += [(need, offer, result) for offer, result in best]
        kept = {offer.id for offer, _ in best}
        for offer_id in sorted(mine - kept):
            reason = _invalidation_reason(need, offers.get(offer_id), ctx, changed)
            lost.append((need, offer_id, reason))
    found = await uow.matches.activate_ranked(ranked, now)
    summaries: dict[str, OfferSummary] = {}
    outgoing: list[Event] = [
        _found(need, offer, result, now, summaries)
        for need, offer, result in ranked
        if match_id_for(need.id, offer.id) in found
    ]
    for reason in sorted({r for _, _, r in lost}):
        ids = [match_id_for(n.id, o) for n, o, r in lost if r == reason]
        await uow.matches.invalidate_all(ids, reason, now)
    outgoing += [_invalidated(n, o, r, now) for n, o, r in lost]
    if outgoing:  # keyed by their need, so each goes on in the trace of its need's change
        spans = {trace: continued(trace) for trace in set(traces.values())}
        await uow.publish(outgoing, trace={n: spans[t] for n, t in traces.items()})


_ENDING_FAILURES = {
    InvalidationReason.FULL,
    InvalidationReason.WITHDRAWN,
    InvalidationReason.NEED_CLOSED,
}


def _invalidation_reason(
    need: Need, offer: Offer | None, ctx: Context, changed: str
) -> InvalidationReason:
    if offer is None:
        return InvalidationReason.WITHDRAWN
    failure = first_failure(need, offer, ctx)
    if failure is None:
        return InvalidationReason.OUTRANKED  # still fits, but better offers took its place
    if failure in _ENDING_FAILURES:
        return InvalidationReason(failure)
    return InvalidationReason.CHANGED if changed == "offer" else InvalidationReason.NEED_CHANGED


def _found(
    need: Need,
    offer: Offer,
    result: Fit,
    now: datetime,
    summaries: dict[str, OfferSummary] | None = None,
) -> MatchFound:
    """The event for a new match; ``summaries`` keeps each offer's summary for the next need."""
    summary = summaries.get(offer.id) if summaries is not None else None
    if summary is None:
        summary = _summary(offer)
        if summaries is not None:
            summaries[offer.id] = summary
    return MatchFound(
        match_id=match_id_for(need.id, offer.id),
        need_id=need.id,
        need_reference=need.reference,
        advisor_id=need.advisor_id,
        offer_id=offer.id,
        offer=summary,
        score=result.score,
        reasons=[MatchReason(code=r.code, de=r.de, en=r.en) for r in result.reasons],
        eligibility=result.eligibility.value,
        found_at=now,
    )


def _summary(offer: Offer) -> OfferSummary:
    details = offer.details
    return OfferSummary(
        title=details.title["de"],
        category=details.category,
        municipality=details.location.municipality,
        provider_id=offer.provider_id,
        start_date=details.start_date,
        rolling_start=details.rolling_start,
        contact_email=str(details.contact_email),
    )


def _invalidated(
    need: Need, offer_id: str, reason: InvalidationReason, now: datetime
) -> MatchInvalidated:
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
