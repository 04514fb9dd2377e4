"""Ranking: each need's active matches are its best K fitting offers after every transaction.

A new or changed offer enters the best K of the needs it now outranks
(:func:`enter_offer`); a changed need, or one whose matched offer changed,
is ranked afresh against every offer of a wanted kind (:func:`rank_needs`).
Ties go to the smaller offer id, so every instance ranks alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.fit import Fit, best_fits, fit, fit_of_found
from lotse_matching.domain.fit import rank_key as _rank_key
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.offer_table import OfferTable
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer.match_events import match_found, match_invalidated
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import Event, InvalidationReason, OfferSummary, match_id_for
from lotse_shared.database import chunks
from lotse_shared.observability import continued

__all__ = ["best_offers", "best_offers_found", "enter_offer", "rank_needs"]

_CHUNK = 1_000  # needs loaded and matched at a time when one offer fits many


async def enter_offer(
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
        match_found(need, offer, result, now, summaries) for need, result in entering
    ]
    outgoing += [
        match_invalidated(need, offer_id, InvalidationReason.OUTRANKED, now)
        for need, offer_id in displaced
    ]
    await uow.publish(outgoing, trace=span)


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
    return best_fits(need, found, ctx, policy.rules, policy.weights, policy.max_per_need)


def _best(fitting: list[tuple[Offer, Fit]], policy: MatchPolicy) -> list[tuple[Offer, Fit]]:
    fitting.sort(key=lambda pair: _rank_key(pair[1].score, pair[0].id))
    return fitting[: policy.max_per_need]


async def rank_needs(
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
        match_found(need, offer, result, now, summaries)
        for need, offer, result in ranked
        if match_id_for(need.id, offer.id) in found
    ]
    for reason in sorted({r for _, _, r in lost}):
        ids = [match_id_for(n.id, o) for n, o, r in lost if r == reason]
        await uow.matches.invalidate_all(ids, reason, now)
    outgoing += [match_invalidated(n, o, r, now) for n, o, r in lost]
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
