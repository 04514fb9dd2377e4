"""Matching's storage: the read model (upserts keyed by id and version) and the matches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_matching.domain.fit import Fit
from lotse_matching.domain.model import Need, Offer
from lotse_shared.contracts import Category, NeedDetails, NeedStatus, OfferDetails, OfferStatus
from lotse_shared.database import insert_ignoring_duplicates

__all__ = ["ActiveMatch", "MatchQueries", "MatchRepository", "ReadModel", "StoredMatch"]

ACTIVE, INVALIDATED = "active", "invalidated"


def _offer(row: Any) -> Offer:
    return Offer(
        row.id,
        row.provider_id,
        OfferStatus(row.status),
        row.version,
        OfferDetails.model_validate(row.details),
    )


def _need(row: Any) -> Need:
    return Need(
        row.id,
        row.reference,
        row.advisor_id,
        NeedStatus(row.status),
        row.version,
        NeedDetails.model_validate(row.details),
    )


class ReadModel:
    """Offers and needs as the latest events described them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _upsert(self, table: Table, values: dict[str, Any]) -> bool:
        """Store ``values`` unless a same or newer version is stored; True when stored."""
        if await insert_ignoring_duplicates(self.session, table, values):
            return True
        result = await self.session.execute(
            update(table)
            .where(table.c.id == values["id"], table.c.version < values["version"])
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def save_offer(self, offer: Offer) -> bool:
        return await self._upsert(
            orm.offers,
            {
                "id": offer.id,
                "provider_id": offer.provider_id,
                "category": offer.details.category.value,
                "status": offer.status.value,
                "version": offer.version,
                "details": offer.details.model_dump(mode="json"),
            },
        )

    async def save_need(self, need: Need) -> bool:
        stored = await self._upsert(
            orm.needs,
            {
                "id": need.id,
                "reference": need.reference,
                "advisor_id": need.advisor_id,
                "status": need.status.value,
                "version": need.version,
                "details": need.details.model_dump(mode="json"),
            },
        )
        if stored:
            await self.session.execute(
                delete(orm.need_categories).where(orm.need_categories.c.need_id == need.id)
            )
            if need.status is NeedStatus.OPEN:
                await self.session.execute(
                    insert(orm.need_categories),
                    [
                        {"category": c.value, "need_id": need.id}
                        for c in set(need.details.categories)
                    ],
                )
        return stored

    async def erase_need(self, need_id: str) -> None:
        await self.session.execute(
            delete(orm.need_categories).where(orm.need_categories.c.need_id == need_id)
        )
        await self.session.execute(delete(orm.needs).where(orm.needs.c.id == need_id))

    async def offer(self, offer_id: str) -> Offer | None:
        row = (
            await self.session.execute(select(orm.offers).where(orm.offers.c.id == offer_id))
        ).one_or_none()
        return _offer(row) if row else None

    async def need(self, need_id: str) -> Need | None:
        row = (
            await self.session.execute(select(orm.needs).where(orm.needs.c.id == need_id))
        ).one_or_none()
        return _need(row) if row else None

    async def open_needs_wanting(self, category: Category) -> Sequence[Need]:
        rows = await self.session.execute(
            select(orm.needs)
            .join(orm.need_categories, orm.need_categories.c.need_id == orm.needs.c.id)
            .where(orm.need_categories.c.category == category.value)
        )
        return [_need(r) for r in rows]

    async def published_offers_of(self, categories: Sequence[Category]) -> Sequence[Offer]:
        rows = await self.session.execute(
            select(orm.offers).where(
                orm.offers.c.status == OfferStatus.PUBLISHED.value,
                orm.offers.c.category.in_([c.value for c in categories]),
            )
        )
        return [_offer(r) for r in rows]


@dataclass(frozen=True)
class ActiveMatch:
    id: str
    need_id: str
    offer_id: str


class MatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def activate(
        self, match_id: str, need: Need, offer: Offer, fit: Fit, now: datetime
    ) -> bool:
        """Record the pair as an active match; False when it was active already (its rank is refreshed)."""
        values = {
            "need_id": need.id,
            "offer_id": offer.id,
            "status": ACTIVE,
            "score": fit.score,
            "reasons": [{"code": r.code, "de": r.de, "en": r.en} for r in fit.reasons],
            "eligibility": fit.eligibility.value,
        }
        m = orm.matches
        if await insert_ignoring_duplicates(
            self.session, m, values | {"id": match_id, "found_at": now}
        ):
            return True
        was_active = (
            await self.session.scalar(select(m.c.status).where(m.c.id == match_id)) == ACTIVE
        )
        found_at = {} if was_active else {"found_at": now}
        await self.session.execute(
            update(m)
            .where(m.c.id == match_id)
            .values(**values, **found_at, invalidated_at=None, invalidation_reason=None)
        )
        return not was_active

    async def invalidate(self, match_id: str, reason: str, now: datetime) -> None:
        await self.session.execute(
            update(orm.matches)
            .where(orm.matches.c.id == match_id)
            .values(status=INVALIDATED, invalidated_at=now, invalidation_reason=reason)
        )

    async def active_of_offer(self, offer_id: str) -> Sequence[ActiveMatch]:
        m = orm.matches
        rows = await self.session.execute(
            select(m.c.id, m.c.need_id, m.c.offer_id).where(
                m.c.offer_id == offer_id, m.c.status == ACTIVE
            )
        )
        return [ActiveMatch(r.id, r.need_id, r.offer_id) for r in rows]

    async def active_of_need(self, need_id: str) -> Sequence[ActiveMatch]:
        m = orm.matches
        rows = await self.session.execute(
            select(m.c.id, m.c.need_id, m.c.offer_id).where(
                m.c.need_id == need_id, m.c.status == ACTIVE
            )
        )
        return [ActiveMatch(r.id, r.need_id, r.offer_id) for r in rows]

    async def active_ranks_wanting(self, category: Category) -> dict[str, list[tuple[float, str]]]:
        """For every open need wanting ``category``: the (score, offer id) of its active matches."""
        m, nc = orm.matches, orm.need_categories
        rows = await self.session.execute(
            select(m.c.need_id, m.c.score, m.c.offer_id)
            .join(nc, nc.c.need_id == m.c.need_id)
            .where(nc.c.category == category.value, m.c.status == ACTIVE)
        )
        ranks: dict[str, list[tuple[float, str]]] = {}
        for need_id, score, offer_id in rows:
            ranks.setdefault(need_id, []).append((score, offer_id))
        return ranks

    async def erase_need(self, need_id: str) -> None:
        await self.session.execute(delete(orm.matches).where(orm.matches.c.need_id == need_id))

    async def for_need(self, need_id: str) -> Sequence[dict[str, Any]]:
        rows = await self.session.execute(
            select(orm.matches)
            .where(orm.matches.c.need_id == need_id, orm.matches.c.status == ACTIVE)
            .order_by(orm.matches.c.score.desc(), orm.matches.c.offer_id)
        )
        return [r._asdict() for r in rows]


@dataclass(frozen=True)
class StoredMatch:
    id: str
    need_id: str
    offer_id: str
    status: str
    decision: str | None


class MatchQueries:
    """What the HTTP API reads: one match, an offer's counts, the coverage of the district."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, match_id: str) -> StoredMatch | None:
        m = orm.matches
        row = (
            await self.session.execute(
                select(m.c.id, m.c.need_id, m.c.offer_id, m.c.status, m.c.decision).where(
                    m.c.id == match_id
                )
            )
        ).one_or_none()
        return (
            StoredMatch(row.id, row.need_id, row.offer_id, row.status, row.decision)
            if row
            else None
        )

    async def decide(self, match_id: str, decision: str, reason: str | None, now: datetime) -> None:
        await self.session.execute(
            update(orm.matches)
            .where(orm.matches.c.id == match_id)
            .values(decision=decision, decline_reason=reason, decided_at=now)
        )

    async def counts_for_offer(self, offer_id: str) -> dict[str, int]:
        m = orm.matches
        rows = await self.session.execute(
            select(m.c.status, m.c.decision, func.count())
            .where(m.c.offer_id == offer_id)
            .group_by(m.c.status, m.c.decision)
        )
        counts = {"active": 0, "accepted": 0, "declined": 0}
        for status, decision, n in rows:
            if status == ACTIVE:
                counts["active"] += n
            if decision in ("accepted", "declined"):
                counts[decision] += n
        return counts

    async def open_needs(self) -> Sequence[Need]:
        rows = await self.session.execute(
            select(orm.needs).where(orm.needs.c.status == NeedStatus.OPEN.value)
        )
        return [_need(r) for r in rows]

    async def needs_with_active_matches(self) -> set[str]:
        rows = await self.session.execute(
            select(orm.matches.c.need_id).where(orm.matches.c.status == ACTIVE).distinct()
        )
        return {r.need_id for r in rows}

    async def published_offers(self) -> Sequence[Offer]:
        rows = await self.session.execute(
            select(orm.offers).where(orm.offers.c.status == OfferStatus.PUBLISHED.value)
        )
        return [_offer(r) for r in rows]
