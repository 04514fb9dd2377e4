"""Whether an offer fits a need, and if so how well and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.eligibility import EligibilityHint, EligibilityRule, eligibility
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.scoring import DEFAULT_WEIGHTS, Reason, Weights, reasons, score

__all__ = ["Fit", "best_fits", "fit", "fit_of_found", "rank_key"]


@dataclass(frozen=True)
class Fit:
    score: float
    reasons: tuple[Reason, ...]
    eligibility: EligibilityHint


def fit(
    need: Need,
    offer: Offer,
    ctx: Context,
    rules: tuple[EligibilityRule, ...],
    weights: Weights = DEFAULT_WEIGHTS,
) -> Fit | None:
    """The fit of ``offer`` for ``need``, or None when a hard condition fails."""
    if first_failure(need, offer, ctx) is not None:
        return None
    return fit_of_found(need, offer, ctx, rules, weights)


def fit_of_found(
    need: Need,
    offer: Offer,
    ctx: Context,
    rules: tuple[EligibilityRule, ...],
    weights: Weights = DEFAULT_WEIGHTS,
) -> Fit:
    """How well ``offer`` fits ``need``, which the need index or the offer table found for it.

    Those find exactly the pairs every hard condition admits (property tests
    hold them to the conditions), so the conditions are not run again.
    """
    return Fit(
        score(need, offer, ctx, weights),
        reasons(need, offer, ctx),
        eligibility(need, offer, rules, ctx.today),
    )


def rank_key(score: float, offer_id: str) -> tuple[float, str]:
    """Best first: higher score, then the smaller offer id (every instance agrees on ties)."""
    return (-score, offer_id)


def best_fits(
    need: Need,
    found: Iterable[Offer],
    ctx: Context,
    rules: tuple[EligibilityRule, ...],
    weights: Weights,
    limit: int,
) -> list[tuple[Offer, Fit]]:
    """The ``limit`` best of the offers the offer table found for ``need``, best first, with their fit.

    Only the score ranks, so the reasons and the hint are made for the offers
    kept: what :func:`fit_of_found` of every offer, sorted and cut, gives.
    """
    scored = sorted(
        ((score(need, o, ctx, weights), o) for o in found),
        key=lambda pair: rank_key(pair[0], pair[1].id),
    )
    return [
        (o, Fit(s, reasons(need, o, ctx), eligibility(need, o, rules, ctx.today)))
        for s, o in scored[:limit]
    ]
