"""Problem reports: advisors report what is wrong with an offer; the KI decides on each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from lotse_catalog.domain.report import ReportStatus
from lotse_catalog.entrypoints.dependencies import Admin, AdminOrAdvisor, CatalogDep
from lotse_catalog.entrypoints.report_schemas import (
    ReportDecisionIn,
    ReportIn,
    ReportPublic,
    ReportsPublic,
    report_public,
)
from lotse_catalog.entrypoints.routes_reviews import REVIEW_RESPONSES
from lotse_catalog.service_layer import reports
from lotse_shared.auth import require_role
from lotse_shared.identity import Principal, Role

__all__ = ["router"]

router = APIRouter(tags=["reports"], responses=REVIEW_RESPONSES)

AdvisorDep = Annotated[Principal, Depends(require_role(Role.ADVISOR))]


@router.post(
    "/v1/offers/{offer_id}/reports",
    status_code=201,
    summary="Report a problem with a published offer (advisors).",
    description=(
        "A reason code and, if wanted, a note of at most 500 characters without anyone's "
        "personal data: an email address, a phone number or a date of birth in it is a 422 "
        "naming `note`. The report goes to the KI's queue."
    ),
)
async def file_report(
    offer_id: str, body: ReportIn, principal: AdvisorDep, catalog: CatalogDep, response: Response
) -> ReportPublic:
    report = await reports.file_report(catalog.uow(), principal, offer_id, body.reason, body.note)
    response.headers["Location"] = f"/v1/reports/{report.id}"
    return report_public(report, admin=False)


@router.get(
    "/v1/reports",
    summary="Problem reports: all of them (admins) or the caller's own (advisors), oldest first.",
)
async def list_reports(
    principal: AdminOrAdvisor,
    catalog: CatalogDep,
    status: Annotated[
        ReportStatus | None, Query(description="open (the KI's queue), dismissed, …")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ReportsPublic:
    advisor_id = None if principal.is_admin else principal.sub
    async with catalog.uow() as uow:
        found, total = await uow.reports.page(
            advisor_id=advisor_id, status=status, limit=limit, offset=offset
        )
    return ReportsPublic(items=[report_public(r, principal.is_admin) for r in found], total=total)


@router.get("/v1/reports/{report_id}", summary="One report and what became of it.")
async def get_report(
    report_id: str, principal: AdminOrAdvisor, catalog: CatalogDep
) -> ReportPublic:
    async with catalog.uow() as uow:
        report = await reports.own_report(uow, principal, report_id)
    return report_public(report, principal.is_admin)


@router.post(
    "/v1/reports/{report_id}/decision",
    summary="Dismiss a report, or turn it into a change request for the provider (admins).",
    description=(
        "A change request is recorded in the offer's review (about the revision waiting, if "
        "any, else the published offer) and published as an offer-review event; the offer "
        "stays published meanwhile. A report is decided once: again is a 409."
    ),
)
async def decide_report(
    report_id: str, body: ReportDecisionIn, principal: Admin, catalog: CatalogDep
) -> ReportPublic:
    report = await reports.decide_report(
        catalog.uow(), principal, report_id, ReportStatus(body.outcome), body.comment
    )
    return report_public(report, admin=True)
