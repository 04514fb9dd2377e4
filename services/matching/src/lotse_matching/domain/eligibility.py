"""Eligibility as data: rules with validity dates say on what terms a person may join.

The result is a hint for the advisor, never a decision: ``eligible``,
``check_required`` or ``self_payer_only``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path

from lotse_matching.domain.model import Need, Offer
from lotse_shared.contracts import Category, ResidenceStatus

__all__ = ["EligibilityHint", "EligibilityRule", "eligibility", "load_rules"]


class EligibilityHint(StrEnum):
    ELIGIBLE = "eligible"
    CHECK_REQUIRED = "check_required"
    SELF_PAYER_ONLY = "self_payer_only"


@dataclass(frozen=True)
class EligibilityRule:
    id: str
    category: Category
    residence_statuses: frozenset[ResidenceStatus]
    hint: EligibilityHint
    valid_from: date
    valid_until: date | None
    note: str = ""

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def load_rules(path: str | Path | None = None) -> tuple[EligibilityRule, ...]:
    """Read a rules file; without a path, the packaged rules."""
    if path is None:
        raw = (
            resources.files("lotse_matching.rules").joinpath("eligibility.json").read_text("utf-8")
        )
    else:
        raw = Path(path).read_text("utf-8")
    return tuple(
        EligibilityRule(
            id=rule["id"],
            category=Category(rule["category"]),
            residence_statuses=frozenset(ResidenceStatus(s) for s in rule["residence_statuses"]),
            hint=EligibilityHint(rule["hint"]),
            valid_from=date.fromisoformat(rule["valid_from"]),
            valid_until=date.fromisoformat(rule["valid_until"]) if rule["valid_until"] else None,
            note=rule.get("note", ""),
        )
        for rule in json.loads(raw)["rules"]
    )


def eligibility(
    need: Need, offer: Offer, rules: tuple[EligibilityRule, ...], today: date
) -> EligibilityHint:
    """The hint for this pair today.

    No rule for the offer's kind means no known restriction, unless the offer
    names an entitlement; a person whose status is not recorded needs a check.
    """
    in_force = [r for r in rules if r.category is offer.details.category and r.holds_on(today)]
    if not in_force:
        return (
            EligibilityHint.CHECK_REQUIRED
            if offer.details.entitlement_required
            else EligibilityHint.ELIGIBLE
        )
    status = need.details.residence_status
    if status is None:
        return EligibilityHint.CHECK_REQUIRED
    for rule in in_force:
        if status in rule.residence_statuses:
            return rule.hint
    return EligibilityHint.CHECK_REQUIRED
