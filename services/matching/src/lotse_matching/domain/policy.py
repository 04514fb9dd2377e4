"""Everything the matching rules are configured with, in one value."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_matching.domain.eligibility import EligibilityRule
from lotse_matching.domain.scoring import DEFAULT_WEIGHTS, Weights
from lotse_shared.region import Region

__all__ = ["MatchPolicy"]


@dataclass(frozen=True)
class MatchPolicy:
    region: Region
    rules: tuple[EligibilityRule, ...]
    weights: Weights = DEFAULT_WEIGHTS
    max_per_need: int = 10
