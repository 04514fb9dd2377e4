"""The directory copy and the delivery log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_notifications.adapters import orm
from lotse_notifications.domain.model import Delivery, Recipient
from lotse_shared.database import insert_ignoring_duplicates

__all__ = ["DeliveryLog", "Directory"]


class Directory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, values: dict[str, Any]) -> bool:
        """Store an advisor's state unless a same or newer version is stored."""
        if await insert_ignoring_duplicates(self.session, orm.advisors, values):
            return True
        result = await self.session.execute(
            update(orm.advisors)
            .where(orm.advisors.c.id == values["id"], orm.advisors.c.version < values["version"])
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


class DeliveryLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> bool:
        """Record a delivery to make; False when one exists for (advisor, match, kind)."""
        return await insert_ignoring_duplicates(self.session, orm.deliveries, values)

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta, window: timedelta = timedelta(0)
    ) -> Sequence[tuple[list[Delivery], Recipient]]:
        """Claim, for ``lease``, the due deliveries that can go out, one group per email.

        A group is an advisor's pending deliveries for one need, claimed once
        the oldest of them has waited ``window``: matches found close together
        go out in one email. Only advisors known and active get anything.
        Another instance skips claimed rows; a claim that outlives a crash
        expires and the deliveries are tried again.
        """
        d, a = orm.deliveries, orm.advisors
        ready = (
            select(d.c.advisor_id, d.c.need_reference)
            .where(d.c.status == "pending")
            .group_by(d.c.advisor_id, d.c.need_reference)
            .having(func.min(d.c.created_at) <= now - window)
            .subquery()
        )
        rows = (
            await self.session.execute(
                select(d, a.c.name, a.c.email)
                .join(a, and_(a.c.id == d.c.advisor_id, a.c.active.is_(True)))
                .join(
                    ready,
                    and_(
                        ready.c.advisor_id == d.c.advisor_id,
                        ready.c.need_reference == d.c.need_reference,
                    ),
                )
                .where(
                    d.c.status == "pending",
                    d.c.next_attempt_at <= now,
                    or_(d.c.claimed_until.is_(None), d.c.claimed_until < now),
                )
                .order_by(d.c.created_at, d.c.id)
                .limit(limit)
                .with_for_update(of=d, skip_locked=True)
            )
        ).all()
        if rows:
            await self.session.execute(
                update(d).where(d.c.id.in_([r.id for r in rows])).values(claimed_until=now + lease)
            )
        groups: dict[tuple[str, str], tuple[list[Delivery], Recipient]] = {}
        for r in rows:
            group = groups.setdefault(
                (r.advisor_id, r.need_reference),
                ([], Recipient(advisor_id=r.advisor_id, name=r.name, email=r.email)),
            )
            group[0].append(
                Delivery(
                    id=r.id,
                    advisor_id=r.advisor_id,
                    match_id=r.match_id,
                    need_reference=r.need_reference,
                    offer_title=r.offer_title,
                    offer_category=r.offer_category,
                    offer_municipality=r.offer_municipality,
                    score=r.score,
                    reasons=tuple(r.reasons),
                    attempts=r.attempts,
                )
            )
        return list(groups.values())

    async def mark_sent(self, delivery_id: str, now: datetime) -> None:
        await self._set(delivery_id, status="sent", sent_at=now, claimed_until=None)

    async def mark_retry(self, delivery_id: str, attempts: int, when: datetime, error: str) -> None:
        await self._set(
            delivery_id,
            attempts=attempts,
            next_attempt_at=when,
            claimed_until=None,
            last_error=error[:500],
        )

    async def mark_failed(self, delivery_id: str, attempts: int, error: str) -> None:
        await self._set(
            delivery_id,
            status="failed",
            attempts=attempts,
            claimed_until=None,
            last_error=error[:500],
        )

    async def _set(self, delivery_id: str, **values: Any) -> None:
        await self.session.execute(
            update(orm.deliveries).where(orm.deliveries.c.id == delivery_id).values(**values)
        )

    async def all(self) -> Sequence[dict[str, Any]]:
        rows = await self.session.execute(
            select(orm.deliveries).order_by(orm.deliveries.c.created_at)
        )
        return [r._asdict() for r in rows]
