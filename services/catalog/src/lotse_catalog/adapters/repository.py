"""Repositories: load and store catalog entities inside a session's transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_catalog.adapters import orm
from lotse_catalog.domain.model import Advisor, Need, Offer
from lotse_shared.contracts import Category, NeedStatus, OfferStatus

__all__ = ["AdvisorRepository", "NeedRepository", "OfferRepository"]


class _Repository:
    table: Table

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _insert(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(self.table).values(**values))

    async def _row(self, entity_id: str) -> Any:
        result = await self.session.execute(select(self.table).where(self.table.c.id == entity_id))
        return result.one_or_none()


class AdvisorRepository(_Repository):
    table = orm.advisors

    async def add(self, advisor: Advisor) -> None:
        await self._insert(asdict(advisor))

    async def get(self, advisor_id: str) -> Advisor | None:
        row = await self._row(advisor_id)
        return Advisor(**row._asdict()) if row else None


class OfferRepository(_Repository):
    table = orm.offers

    async def add(self, offer: Offer) -> None:
        await self._insert(asdict(offer))

    async def get(self, offer_id: str) -> Offer | None:
        row = await self._row(offer_id)
        if row is None:
            return None
        values = row._asdict()
        return Offer(
            **values
            | {"category": Category(values["category"]), "status": OfferStatus(values["status"])}
        )


class NeedRepository(_Repository):
    table = orm.needs

    async def add(self, need: Need) -> None:
        await self._insert(asdict(need))

    async def get(self, need_id: str) -> Need | None:
        row = await self._row(need_id)
        if row is None:
            return None
        values = row._asdict()
        return Need(
            **values
            | {
                "categories": [Category(c) for c in values["categories"]],
                "status": NeedStatus(values["status"]),
            }
        )

    async def reference_taken(self, reference: str) -> bool:
        return bool(
            await self.session.scalar(select(exists().where(self.table.c.reference == reference)))
        )
