"""The eligibility rules in force, for everyone: the public finder says them in words.

The rules are the district's published policy (who may join which kind of offer
on what terms); nothing in them is about a person, so no token is needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from lotse_matching.entrypoints.dependencies import MatchingDep
from lotse_shared.contracts import Category, ResidenceStatus
from lotse_shared.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(
    tags=["public"], responses={k: v for k, v in PROBLEM_RESPONSES.items() if k == 422}
)


class EligibilityRulePublic(BaseModel):
    """On what terms people of some residence statuses may join a kind of offer."""

    id: str = Field(description="The rule's id.", examples=["integration-course-entitled"])
    category: Category = Field(description="Kind of offer.", examples=["integration_course"])
    residence_statuses: list[ResidenceStatus] = Field(
        description="Residence statuses the rule is about.", examples=[["recognised_protection"]]
    )
    hint: str = Field(
        description="eligible, check_required or self_payer_only.", examples=["eligible"]
    )
    valid_from: date = Field(description="First day in force.", examples=["2026-02-09"])
    valid_until: date | None = Field(
        description="Last day in force; null while open.", examples=[None]
    )
    note: str = Field(description="The rule in a sentence (German).", examples=["Self-payers"])


@router.get(
    "/v1/public/eligibility-rules",
    summary="The eligibility rules in force on a day (today by default), without signing in.",
)
async def rules_in_force(
    matching: MatchingDep,
    on: Annotated[date | None, Query(description="The day; today when absent.")] = None,
) -> list[EligibilityRulePublic]:
    day = on or datetime.now(UTC).date()
    return [
        EligibilityRulePublic(
            id=r.id,
            category=r.category,
            residence_statuses=sorted(r.residence_statuses),
            hint=r.hint.value,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            note=r.note,
        )
        for r in matching.policy.rules
        if r.holds_on(day)
    ]
