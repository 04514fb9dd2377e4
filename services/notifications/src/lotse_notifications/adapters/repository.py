"""The directory copy (advisors, providers) and the delivery log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_notifications.adapters import orm
from lotse_notifications.domain.model import (
    ERASED,
    Delivery,
    DeliveryStatus,
    OfferFacts,
    Reason,
    Recipient,
)
from lotse_shared.contracts import NotificationPreference
from lotse_shared.database import chunks, insert_ignoring_duplicates

__all__ = [
    "DeliveryLog",
    "Directory",
    "ErasedNeeds",
    "delivery_from",
    "newest",
    "update_rows",
]


async def update_rows(session: AsyncSession, table: Any, ids: Sequence[str], **values: Any) -> None:
    """Set ``values`` on the rows of ``table`` with these ids."""
    for some in chunks(ids):
        await session.execute(update(table).where(table.c.id.in_(some)).values(**values))


async def newest(
    session: AsyncSession, table: Any, columns: Sequence[str], limit: int, **equal: str | None
) -> list[dict[str, Any]]:
    """``columns`` of the newest rows of ``table`` (by ``created_at``) with the values in
    ``equal`` that are not None."""
    c = table.c
    query = select(*(c[n] for n in columns)).order_by(c.created_at.desc(), c.id)
    for name, value in equal.items():
        if value is not None:
            query = query.where(c[name] == value)
    rows = await session.execute(query.limit(limit))
    return [r._asdict() for r in rows]


class Directory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save_advisor(self, values: dict[str, Any]) -> bool:
        """Store an advisor's state unless a same or newer version is stored."""
        return await self._save(orm.advisors, values)

    async def save_provider(self, values: dict[str, Any]) -> bool:
        """Store a provider's name unless a same or newer version is stored."""
        return await self._save(orm.providers, values)

    async def _save(self, table: Any, values: dict[str, Any]) -> bool:
        if await insert_ignoring_duplicates(self.session, table, values):
            return True
        result = await self.session.execute(
            update(table)
            .where(table.c.id == values["id"], table.c.version < values["version"])
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def recipient(self, advisor_id: str) -> Recipient | None:
        """The advisor, if known and active."""
        a = orm.advisors.c
        row = (
            await self.session.execute(
                select(orm.advisors).where(a.id == advisor_id, a.active.is_(True))
            )
        ).one_or_none()
        return _recipient(row) if row else None

    async def provider_names(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        p = orm.providers.c
        rows = await self.session.execute(select(p.id, p.name).where(p.id.in_(wanted)))
        return {r.id: r.name for r in rows}


class DeliveryLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> bool:
        """Record a delivery to make; False when one exists for (advisor, match, kind)."""
        return await insert_ignoring_duplicates(self.session, orm.deliveries, values)

    async def get(self, delivery_id: str) -> Row[Any] | None:
        d = orm.deliveries
        return (await self.session.execute(select(d).where(d.c.id == delivery_id))).one_or_none()

    async def pending_of(self, advisor_id: str) -> Sequence[Row[Any]]:
        d = orm.deliveries.c
        rows = await self.session.execute(
            select(orm.deliveries).where(
                d.advisor_id == advisor_id, d.status == DeliveryStatus.PENDING
            )
        )
        return rows.all()

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[tuple[str, list[Delivery], Recipient]]:
        """Claim, for ``lease``, the due deliveries that can go out: (group, deliveries, recipient).

        A group is ready once its earliest delivery is due; then all its
        pending deliveries go out together. Only advisors known and active get
        anything. Another instance skips claimed rows; a claim that outlives a
        crash expires and the deliveries are tried again.
        """
        d, a = orm.deliveries, orm.advisors
        ready = (
            select(d.c.advisor_id, d.c.group_key)
            .where(d.c.status == DeliveryStatus.PENDING)
            .group_by(d.c.advisor_id, d.c.group_key)
            .having(func.min(d.c.due_at) <= now)
            .subquery()
        )
        rows = (
            await self.session.execute(
                select(d, *(a.c[n] for n in _RECIPIENT_COLUMNS))
                .join(a, and_(a.c.id == d.c.advisor_id, a.c.active.is_(True)))
                .join(
                    ready,
                    and_(ready.c.advisor_id == d.c.advisor_id, ready.c.group_key == d.c.group_key),
                )
                .where(
                    d.c.status == DeliveryStatus.PENDING,
                    d.c.next_attempt_at <= now,
                    or_(d.c.claimed_until.is_(None), d.c.claimed_until < now),
                )
                .order_by(d.c.created_at, d.c.id)
                .limit(limit)
                .with_for_update(of=d, skip_locked=True)
            )
        ).all()
        await update_rows(self.session, d, [r.id for r in rows], claimed_until=now + lease)
        groups: dict[tuple[str, str], tuple[str, list[Delivery], Recipient]] = {}
        for r in rows:
            key = (r.advisor_id, r.group_key)
            if key not in groups:
                recipient = _recipient(r, id_column="advisor_id")
                groups[key] = (r.group_key, [], recipient)
            groups[key][1].append(delivery_from(r))
        return list(groups.values())

    async def erase_need(self, need_id: str, *, match_id: str | None = None) -> None:
        """Cancel the need's pending deliveries and strip all of them of the need.

        What stays says that news went to the advisor and how far it got, not
        about which need: no need id or reference, no reasons (they name the
        person's home town), no eligibility (it follows from the residence
        status). ``match_id`` also finds a match's deliveries recorded before
        they knew their need. A delivery being sent right now cannot be called
        back; its outcome is still recorded, but it is never tried again.
        """
        d = orm.deliveries.c
        about = d.need_id == need_id
        if match_id is not None:
            about = or_(about, d.match_id == match_id)
        await self.session.execute(
            update(orm.deliveries)
            .where(about, d.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.CANCELLED)
        )
        await self.session.execute(
            update(orm.deliveries)
            .where(about)
            .values(
                need_id=None, need_reference=None, group_key=ERASED, reasons=[], eligibility=None
            )
        )

    async def set(self, ids: Sequence[str], **values: Any) -> None:
        await update_rows(self.session, orm.deliveries, ids, **values)

    async def log(
        self, *, advisor_id: str | None, status: str | None, limit: int
    ) -> Sequence[dict[str, Any]]:
        """The newest deliveries first; one advisor's, or everyone's."""
        return await newest(
            self.session, orm.deliveries, _LOG_COLUMNS, limit, advisor_id=advisor_id, status=status
        )

    async def failed_since(self, since: datetime, *, limit: int) -> Sequence[dict[str, Any]]:
        """The deliveries refused for good that were recorded since ``since``, newest first."""
        d = orm.deliveries.c
        rows = await self.session.execute(
            select(*(d[n] for n in _LOG_COLUMNS))
            .where(d.status == DeliveryStatus.FAILED, d.created_at >= since)
            .order_by(d.created_at.desc(), d.id)
            .limit(limit)
        )
        return [r._asdict() for r in rows]

    async def troubles_since(self, since: datetime) -> Sequence[Any]:
        """Deliveries refused for good since ``since``, and pending ones that failed before:
        their advisor, status, last error and when it happened."""
        d = orm.deliveries.c
        rows = await self.session.execute(
            select(d.advisor_id, d.status, d.last_error, d.last_failed_at, d.created_at).where(
                or_(
                    and_(d.status == DeliveryStatus.FAILED, d.created_at >= since),
                    and_(d.status == DeliveryStatus.PENDING, d.attempts >= 1),
                )
            )
        )
        return rows.all()


class ErasedNeeds:
    """The ids of needs erased by a tombstone, and nothing else of them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, need_id: str, now: datetime) -> None:
        await insert_ignoring_duplicates(
            self.session, orm.erased_needs, {"need_id": need_id, "erased_at": now}
        )

    async def among(self, need_ids: Iterable[str]) -> set[str]:
        """Those of ``need_ids`` that were erased."""
        e = orm.erased_needs.c
        found: set[str] = set()
        for some in chunks(sorted(set(need_ids))):
            found.update(await self.session.scalars(select(e.need_id).where(e.need_id.in_(some))))
        return found


_RECIPIENT_COLUMNS = ("name", "email", "language", "mode", "digest_hour", "min_score")
_LOG_COLUMNS = (
    "id", "advisor_id", "match_id", "kind", "need_reference", "offer_title", "status",
    "invalidation_reason", "attempts", "last_error", "created_at", "due_at", "sent_at",
)  # fmt: skip


def _recipient(row: Row[Any], id_column: str = "id") -> Recipient:
    return Recipient(
        advisor_id=getattr(row, id_column),
        name=row.name,
        email=row.email,
        language="en" if row.language == "en" else "de",
        preference=NotificationPreference(
            mode=row.mode, digest_hour=row.digest_hour, min_score=row.min_score
        ),
    )


def delivery_from(row: Row[Any]) -> Delivery:
    facts = row.offer_facts or {}
    start = facts.get("start_date")
    return Delivery(
        id=row.id,
        advisor_id=row.advisor_id,
        match_id=row.match_id,
        kind=row.kind,
        need_reference=row.need_reference or "",  # only erased ones have none; they are never sent
        offer=OfferFacts(
            offer_id=facts.get("offer_id", ""),
            title=row.offer_title,
            category=row.offer_category,
            municipality=row.offer_municipality,
            provider_id=facts.get("provider_id"),
            start_date=date.fromisoformat(start) if start else None,
            rolling_start=bool(facts.get("rolling_start", False)),
            contact_email=facts.get("contact_email"),
        ),
        score=row.score,
        reasons=tuple(Reason(r["de"], r["en"]) for r in row.reasons),
        eligibility=row.eligibility,
        invalidation_reason=row.invalidation_reason,
        attempts=row.attempts,
    )
