"""Load and store advisors' problem reports: the KI's queue and each advisor's own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_catalog.adapters import orm
from lotse_catalog.domain.report import ProblemReport, ReportStatus
from lotse_shared.contracts import ReportReason
from lotse_shared.database import as_utc as aware

__all__ = ["ReportRepository"]


class ReportRepository:
    """Advisors' reports: the KI's queue and each advisor's own."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, report: ProblemReport) -> None:
        await self.session.execute(insert(orm.offer_reports).values(**self._row(report)))

    async def save(self, report: ProblemReport) -> None:
        t = orm.offer_reports
        await self.session.execute(update(t).where(t.c.id == report.id).values(**self._row(report)))

    async def get(self, report_id: str, *, for_update: bool = False) -> ProblemReport | None:
        query = select(orm.offer_reports).where(orm.offer_reports.c.id == report_id)
        row = (
            await self.session.execute(query.with_for_update() if for_update else query)
        ).one_or_none()
        return self._report(row) if row else None

    async def page(
        self,
        *,
        advisor_id: str | None = None,
        status: ReportStatus | None = None,
        limit: int,
        offset: int = 0,
    ) -> tuple[Sequence[ProblemReport], int]:
        """Reports oldest first, of one advisor or all, in one status or any."""
        t = orm.offer_reports
        wanted: Any = true()
        if advisor_id is not None:
            wanted = wanted & (t.c.advisor_id == advisor_id)
        if status is not None:
            wanted = wanted & (t.c.status == status.value)
        query = select(t).where(wanted).order_by(t.c.created_at, t.c.id)
        rows = await self.session.execute(query.offset(offset).limit(limit))
        total = await self.session.scalar(select(func.count()).select_from(t).where(wanted))
        return [self._report(r) for r in rows], int(total or 0)

    @staticmethod
    def _row(report: ProblemReport) -> dict[str, Any]:
        return {
            "id": report.id,
            "offer_id": report.offer_id,
            "advisor_id": report.advisor_id,
            "reason": report.reason.value,
            "note": report.note,
            "created_at": report.created_at,
            "status": report.status.value,
            "decided_by": report.decided_by,
            "decided_at": report.decided_at,
            "comment": report.comment,
        }

    @staticmethod
    def _report(row: Any) -> ProblemReport:
        return ProblemReport(
            id=row.id,
            offer_id=row.offer_id,
            advisor_id=row.advisor_id,
            reason=ReportReason(row.reason),
            note=row.note,
            created_at=aware(row.created_at),
            status=ReportStatus(row.status),
            decided_by=row.decided_by,
            decided_at=aware(row.decided_at) if row.decided_at else None,
            comment=row.comment,
        )
