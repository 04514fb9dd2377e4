"""An advisor's report of a problem with a published offer, and what the KI made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lotse_catalog.domain.errors import Conflict, Forbidden, InvalidField
from lotse_catalog.domain.model import now
from lotse_catalog.domain.personal_data import refuse_personal_data
from lotse_shared.contracts import ReportReason
from lotse_shared.identity import Principal

__all__ = ["NOTE_MAX", "ProblemReport", "ReportStatus"]

NOTE_MAX = 500


class ReportStatus(StrEnum):
    """Open in the KI's queue, or what the KI did with it."""

    OPEN = "open"
    DISMISSED = "dismissed"
    CHANGES_REQUESTED = "changes_requested"


@dataclass
class ProblemReport:
    """What an advisor found wrong with an offer: a reason code and a few words without
    anyone's personal data."""

    id: str
    offer_id: str
    advisor_id: str
    reason: ReportReason
    note: str | None
    created_at: datetime = field(default_factory=now)
    status: ReportStatus = ReportStatus.OPEN
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None

    @classmethod
    def file(
        cls, report_id: str, offer_id: str, advisor_id: str, reason: ReportReason, note: str | None
    ) -> ProblemReport:
        """A new report; its note is refused when too long or holding personal data."""
        report = cls(report_id, offer_id, advisor_id, reason, note or None)
        if report.note is not None and len(report.note) > NOTE_MAX:
            raise InvalidField("note", f"at most {NOTE_MAX} characters")
        refuse_personal_data("note", report.note, report.created_at.date())
        return report

    def decide(
        self, reviewer: Principal, outcome: ReportStatus, comment: str, at: datetime
    ) -> None:
        """Dismiss the report, or record that it became a change request for the provider."""
        if not reviewer.is_admin:
            raise Forbidden("only admins decide on reports")
        if outcome is ReportStatus.OPEN:
            raise InvalidField("outcome", "dismissed or changes_requested")
        if not comment:
            raise InvalidField("comment", "say what became of the report")
        refuse_personal_data("comment", comment, at.date())
        if self.status is not ReportStatus.OPEN:
            raise Conflict(f"report {self.id} was decided already ({self.status})")
        self.status = outcome
        self.decided_by = reviewer.sub
        self.decided_at = at
        self.comment = comment
