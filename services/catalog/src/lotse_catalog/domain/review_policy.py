"""Whose offers the KI reviews before they are published: ``CATALOG_REVIEW_POLICY``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ReviewPolicy", "ReviewRules"]


class ReviewPolicy(StrEnum):
    """Whose offers the KI reviews before they are published."""

    OFF = "off"
    NEW_PROVIDERS = "new_providers"
    ALL = "all"


@dataclass(frozen=True)
class ReviewRules:
    """The policy in force, and after how many approved offers a provider is trusted."""

    policy: ReviewPolicy = ReviewPolicy.OFF
    trusted_after: int = 3

    @property
    def counts_approvals(self) -> bool:
        """Whether :meth:`requires_review` needs the provider's approved offers counted."""
        return self.policy is ReviewPolicy.NEW_PROVIDERS

    def requires_review(self, approved_offers: int = 0) -> bool:
        if self.policy is ReviewPolicy.OFF:
            return False
        if self.policy is ReviewPolicy.ALL:
            return True
        return approved_offers < self.trusted_after
