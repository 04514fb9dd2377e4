"""The events matching publishes about a match: found, or no longer holding."""

from __future__ import annotations

import functools
from datetime import datetime

from lotse_matching.domain.fit import Fit
from lotse_matching.domain.model import Need, Offer
from lotse_matching.domain.scoring import Reason
from lotse_shared.contracts import (
    InvalidationReason,
    MatchFound,
    MatchInvalidated,
    MatchReason,
    OfferSummary,
    match_id_for,
)

__all__ = ["match_found", "match_invalidated"]


def match_found(
    need: Need,
    offer: Offer,
    result: Fit,
    now: datetime,
    summaries: dict[str, OfferSummary] | None = None,
) -> MatchFound:
    """The event for a new match; ``summaries`` keeps each offer's summary for the next need.

    Built without validation, like the other match events: every value comes
    from an event validated where it entered, or from the rules, in the
    contract's types. Validating 4 to 5 events per input event again was most
    of what building them cost.
    """
    summary = summaries.get(offer.id) if summaries is not None else None
    if summary is None:
        summary = _summary(offer)
        if summaries is not None:
            summaries[offer.id] = summary
    return MatchFound.model_construct(
        match_id=match_id_for(need.id, offer.id),
        need_id=need.id,
        need_reference=need.reference,
        advisor_id=need.advisor_id,
        offer_id=offer.id,
        offer=summary,
        score=result.score,
        reasons=[_match_reason(r) for r in result.reasons],
        eligibility=result.eligibility.value,
        found_at=now,
    )


@functools.lru_cache(maxsize=4096)  # the same few reasons recur in most matches; frozen, shared
def _match_reason(reason: Reason) -> MatchReason:
    return MatchReason.model_construct(code=reason.code, de=reason.de, en=reason.en)


def _summary(offer: Offer) -> OfferSummary:
    details = offer.details
    return OfferSummary.model_construct(
        title=details.title["de"],
        category=details.category,
        municipality=details.location.municipality,
        provider_id=offer.provider_id,
        start_date=details.start_date,
        rolling_start=details.rolling_start,
        contact_email=str(details.contact_email),
    )


def match_invalidated(
    need: Need, offer_id: str, reason: InvalidationReason, now: datetime
) -> MatchInvalidated:
    """The event for a match that no longer holds, and why."""
    return MatchInvalidated.model_construct(
        match_id=match_id_for(need.id, offer_id),
        need_id=need.id,
        need_reference=need.reference,
        advisor_id=need.advisor_id,
        offer_id=offer_id,
        reason=reason,
        invalidated_at=now,
    )
