"""Use cases of problem reports: advisors report a published offer, the KI decides.

A report's note stays in the catalog. Turned into a change request, it
reaches the provider as an ``offer-review.changes-requested`` event with the
coordinator's comment and the report's reason code.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from lotse_catalog.domain.errors import Conflict, Forbidden, NotFound
from lotse_catalog.domain.model import now
from lotse_catalog.domain.report import ProblemReport, ReportStatus
from lotse_catalog.domain.review import OfferReview, ReviewState
from lotse_catalog.service_layer.events import report_event, review_event
from lotse_catalog.service_layer.offer_access import active_provider, live
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    OfferReportDismissed,
    OfferReportFiled,
    OfferReviewChangesRequested,
    ReportReason,
)
from lotse_shared.identity import Principal, Role

__all__ = ["decide_report", "file_report", "own_report"]


async def file_report(
    uow: UnitOfWork, principal: Principal, offer_id: str, reason: ReportReason, note: str | None
) -> ProblemReport:
    """An advisor reports a problem with a published offer; it goes to the KI's queue."""
    if principal.role is not Role.ADVISOR:
        raise Forbidden("only advisors report problems with offers")
    report = ProblemReport.file(str(uuid.uuid4()), offer_id, principal.sub, reason, note)
    async with uow:
        advisor = await uow.advisors.get(principal.sub)
        if advisor is None or not advisor.active:
            raise Forbidden(f"advisor {principal.sub} is not registered or no longer active")
        offer = await uow.offers.get(offer_id)
        if offer is None:
            raise NotFound(f"no offer {offer_id}")
        if live(offer) is None:
            raise Conflict(f"offer {offer_id} is withdrawn; advisors no longer see it")
        await uow.reports.add(report)
        provider = await active_provider(uow, offer.provider_id)
        await uow.publish([report_event(OfferReportFiled, report, offer, provider,
                                        reason=report.reason, reported_at=report.created_at)])  # fmt: skip
        await uow.commit()
    return report


async def own_report(uow: UnitOfWork, principal: Principal, report_id: str) -> ProblemReport:
    """A report, for the advisor who filed it and for admins; to others there is none."""
    report = await uow.reports.get(report_id)
    if report is None or not (principal.is_admin or report.advisor_id == principal.sub):
        raise NotFound(f"no report {report_id}")
    return report


async def decide_report(
    uow: UnitOfWork, principal: Principal, report_id: str, outcome: ReportStatus, comment: str
) -> ProblemReport:
    """An admin dismisses a report, or turns it into a change request for the provider."""
    at = now()
    async with uow:
        report = await uow.reports.get(report_id, for_update=True)
        if report is None:
            raise NotFound(f"no report {report_id}")
        report.decide(principal, outcome, comment, at)
        if outcome is ReportStatus.CHANGES_REQUESTED:
            await _request_changes(uow, principal, report, comment)
        else:
            await _dismissed(uow, report, at)
        await uow.reports.save(report)
        await uow.commit()
    return report


async def _request_changes(
    uow: UnitOfWork, principal: Principal, report: ProblemReport, comment: str
) -> None:
    offer = live(await uow.offers.get(report.offer_id, for_update=True))
    if offer is None:
        raise Conflict(f"offer {report.offer_id} is withdrawn; dismiss the report instead")
    review = await uow.reviews.get(report.offer_id, for_update=True)
    first = review is None
    if review is None:  # published without review so far
        review = OfferReview(report.offer_id, offer.provider_id, state=ReviewState.PUBLISHED)
    decision = review.request_changes(
        principal, comment, report.id, decision_id=str(uuid.uuid4()), at=report.decided_at or now()
    )
    if first:
        await uow.reviews.add(review)
    else:
        await uow.reviews.save(review)
    provider = await active_provider(uow, offer.provider_id)
    event = review_event(
        OfferReviewChangesRequested,
        review,
        provider,
        offer,
        decision,
        report_reason=report.reason,
        report_id=report.id,
    )
    await uow.publish([event])


async def _dismissed(uow: UnitOfWork, report: ProblemReport, at: datetime) -> None:
    """The report leaves the KI's queue; an offer or provider gone since changes nothing."""
    offer = await uow.offers.get(report.offer_id)
    provider = await uow.providers.get(offer.provider_id) if offer else None
    if offer is not None and provider is not None:
        await uow.publish([report_event(OfferReportDismissed, report, offer, provider,
                                        dismissed_at=at)])  # fmt: skip
