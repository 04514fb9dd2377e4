"""Request and response bodies of advisors' problem reports.

Who decided a report is shown to admins only; the advisor sees what became
of it and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lotse_catalog.domain.report import NOTE_MAX, ProblemReport, ReportStatus
from lotse_catalog.entrypoints.review_schemas import (
    ADMINS_ONLY,
    COMMENT_EXAMPLE,
    OFFER_ID,
    Comment,
)
from lotse_shared.contracts import ReportReason

__all__ = ["ReportDecisionIn", "ReportIn", "ReportPublic", "ReportsPublic", "report_public"]

_FORBID = ConfigDict(extra="forbid", frozen=True)


class ReportIn(BaseModel):
    """A problem an advisor found with an offer."""

    model_config = _FORBID
    reason: ReportReason = Field(
        description="wrong_dates, full_but_shown_free, contact_not_answering, "
        "wrong_eligibility or other.",
        examples=["full_but_shown_free"],
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)] | None = (
        Field(
            default=None,
            description=f"A few words, at most {NOTE_MAX} characters. No personal data: an email "
            "address, phone number or date of birth is refused.",
            examples=["Seit drei Wochen voll, wird aber mit 4 freien Plätzen angezeigt."],
        )
    )


class ReportDecisionIn(BaseModel):
    """What an admin makes of a report."""

    model_config = _FORBID
    outcome: Literal["dismissed", "changes_requested"] = Field(
        description="dismissed, or changes_requested: the provider is asked to change the offer.",
        examples=["changes_requested"],
    )
    comment: Comment = Field(
        description="For the advisor, and with changes_requested for the provider too. "
        "No personal data.",
        examples=[COMMENT_EXAMPLE],
    )


class ReportPublic(BaseModel):
    id: str = Field(description="Stable id.", examples=["4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"])
    offer_id: str = OFFER_ID
    advisor_id: str = Field(description="The advisor who reported.", examples=["adv-schwerte-1"])
    reason: ReportReason = Field(description="What is wrong.", examples=["full_but_shown_free"])
    note: str | None = Field(description="The advisor's words.", examples=["Seit Wochen voll."])
    status: ReportStatus = Field(
        description="open, dismissed or changes_requested.", examples=["open"]
    )
    created_at: datetime = Field(description="When (UTC).", examples=["2026-11-28T09:00:00Z"])
    decided_at: datetime | None = Field(
        description="When an admin decided (UTC).", examples=["2026-11-29T10:00:00Z"]
    )
    comment: str | None = Field(description="The admin's words.", examples=[COMMENT_EXAMPLE])
    decided_by: str | None = Field(
        description="The admin who decided" + ADMINS_ONLY, examples=["ki-admin"]
    )


class ReportsPublic(BaseModel):
    items: list[ReportPublic] = Field(description="This page, oldest first.", examples=[[]])
    total: int = Field(description="How many on all pages.", examples=[3])


def report_public(report: ProblemReport, admin: bool) -> ReportPublic:
    return ReportPublic(
        id=report.id,
        offer_id=report.offer_id,
        advisor_id=report.advisor_id,
        reason=report.reason,
        note=report.note,
        status=report.status,
        created_at=report.created_at,
        decided_at=report.decided_at,
        comment=report.comment,
        decided_by=report.decided_by if admin else None,
    )
