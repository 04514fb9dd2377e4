"""Delivery problems: emails refused for good, and the advisors whose emails keep failing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lotse_notifications.domain.model import DeliveryStatus
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.database import as_utc

__all__ = ["AdvisorTroubles", "DeliveryProblems", "delivery_problems"]

MAX_FAILED = 100


@dataclass
class AdvisorTroubles:
    """One advisor's failing deliveries: refused for good, and still being retried."""

    advisor_id: str
    failed: int = 0
    retrying: int = 0
    last_error: str | None = None
    last_failed_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryProblems:
    failed: list[dict[str, Any]]
    advisors: list[AdvisorTroubles]


async def delivery_problems(uow: UnitOfWork, now: datetime, days: int) -> DeliveryProblems:
    """The deliveries refused for good in the last ``days`` (newest first, at most 100), and
    per advisor with any of them or a pending delivery that failed before: the counts and the
    last failure, most failed first."""
    since = now - timedelta(days=days)
    async with uow:
        failed = await uow.deliveries.failed_since(since, limit=MAX_FAILED)
        troubles = await uow.deliveries.troubles_since(since)
    advisors: dict[str, AdvisorTroubles] = {}
    latest: dict[str, tuple[datetime, datetime]] = {}
    for row in troubles:
        entry = advisors.setdefault(row.advisor_id, AdvisorTroubles(row.advisor_id))
        if row.status == DeliveryStatus.FAILED:
            entry.failed += 1
        else:
            entry.retrying += 1
        failed_at = as_utc(row.last_failed_at) if row.last_failed_at else None
        # The most recent failure tells the error; rows from before failures were timed
        # count as older than any timed one.
        order = (
            failed_at or datetime.min.replace(tzinfo=UTC),
            as_utc(row.created_at) if row.created_at else now,
        )
        if row.advisor_id not in latest or order > latest[row.advisor_id]:
            latest[row.advisor_id] = order
            entry.last_error = row.last_error
            entry.last_failed_at = failed_at
    ranked = sorted(advisors.values(), key=lambda a: (-a.failed, -a.retrying, a.advisor_id))
    return DeliveryProblems(failed=list(failed), advisors=ranked)
