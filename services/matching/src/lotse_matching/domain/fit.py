"""Whether an offer fits a need, and if so how well and why."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.eligibility import EligibilityHint, EligibilityRule, eligibility
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.scoring import DEFAULT_WEIGHTS, Reason, Weights, reasons, score

__all__ = ["Fit", "fit"]


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
    return Fit(
        score(need, offer, ctx, weights),
        reasons(need, offer, ctx),
        eligibility(need, offer, rules, ctx.today),
    )
