"""Matching's storage: the read model (upserts keyed by id and version) and matches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_matching.domain.model import Fit, Need, Offer
from lotse_shared.contracts import Category, NeedStatus, OfferStatus
from lotse_shared.database import insert_ignoring_duplicates

__all__ = ["MatchRepository", "ReadModel"]


def _offer(row: Any) -> Offer:
    v = row._asdict()
    return Offer(**v | {"category": Category(v["category"]), "status": OfferStatus(v["status"])})


def _need(row: Any) -> Need:
    v = row._asdict()
    return Need(
        **v
        | {
            "categories": tuple(Category(c) for c in v["categories"]),
            "status": NeedStatus(v["status"]),
        }
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
        return await self._upsert(orm.offers, asdict(offer))

    async def save_need(self, need: Need) -> bool:
        return await self._upsert(orm.needs, asdict(need) | {"categories": list(need.categories)})

    async def open_needs_in(self, municipality: str) -> Sequence[Need]:
        rows = await self.session.execute(
            select(orm.needs).where(
                orm.needs.c.municipality == municipality,
                orm.needs.c.status == NeedStatus.OPEN.value,
            )
        )
        return [_need(r) for r in rows]

    async def published_offers_in(
        self, municipality: str, categories: Sequence[Category]
    ) -> Sequence[Offer]:
        rows = await self.session.execute(
            select(orm.offers).where(
                orm.offers.c.municipality == municipality,
                orm.offers.c.status == OfferStatus.PUBLISHED.value,
                orm.offers.c.category.in_([c.value for c in categories]),
            )
        )
        return [_offer(r) for r in rows]


class MatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, match_id: str, need: Need, offer: Offer, fit: Fit, found_at: datetime
    ) -> bool:
        """Record a match; False when the pair was matched before."""
        return await insert_ignoring_duplicates(
            self.session,
            orm.matches,
            {
                "id": match_id,
                "need_id": need.id,
                "offer_id": offer.id,
                "score": fit.score,
                "reasons": list(fit.reasons),
                "found_at": found_at,
            },
        )

    async def for_need(self, need_id: str) -> Sequence[dict[str, Any]]:
        rows = await self.session.execute(
            select(orm.matches)
            .where(orm.matches.c.need_id == need_id)
            .order_by(orm.matches.c.score.desc())
        )
        return [r._asdict() for r in rows]
