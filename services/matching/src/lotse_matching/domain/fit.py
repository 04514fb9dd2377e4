"""Whether an offer fits a need, and if so how well and why."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.eligibility import EligibilityHint, EligibilityRule, eligibility
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.scoring import DEFAULT_WEIGHTS, Reason, Weights, reasons, score

__all__ = ["Fit", "fit", "fit_of_found"]


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
