"""Repositories: load and store catalog entities inside a session's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Table, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_catalog.adapters import orm
from lotse_catalog.adapters.offer_listing import (
    ORDER,
    OfferFilter,
    OfferPage,
    OfferSort,
    decode_cursor,
    encode_cursor,
    filtered,
)
from lotse_catalog.domain.errors import InvalidField
from lotse_catalog.domain.model import Need, Offer
from lotse_shared.contracts import (
    NeedDetails,
    NeedStatus,
    OfferDetails,
    OfferStatus,
)
from lotse_shared.database import as_utc

__all__ = [
    "NeedRepository",
    "OfferFilter",
    "OfferPage",
    "OfferRepository",
    "OfferSort",
    "Repository",
    "as_json",
]


def as_json(details: Any) -> Any:
    return details.model_dump(mode="json")


class _Stored(Protocol):
    id: str


T = TypeVar("T", bound=_Stored)


class Repository(Generic[T]):
    """Add, save and load one kind of entity by id."""

    table: Table

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entity: T) -> None:
        await self.session.execute(insert(self.table), self._row(entity))

    async def save(self, entity: T) -> None:
        await self.session.execute(
            update(self.table).where(self.table.c.id == entity.id).values(**self._row(entity))
        )

    async def get(self, entity_id: str, *, for_update: bool = False) -> T | None:
        """Load one entity; ``for_update`` locks its row until the transaction ends."""
        query = select(self.table).where(self.table.c.id == entity_id)
        row = (
            await self.session.execute(query.with_for_update() if for_update else query)
        ).one_or_none()
        return self._entity(row) if row else None

    async def all(self) -> Sequence[T]:
        rows = await self.session.execute(select(self.table).order_by(self.table.c.id))
        return [self._entity(r) for r in rows]

    @staticmethod
    def _row(entity: T) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def _entity(row: Any) -> T:
        raise NotImplementedError


class OfferRepository(Repository[Offer]):
    table = orm.offers

    async def published_by(self, provider_id: str) -> Sequence[Offer]:
        rows = await self.session.execute(
            select(orm.offers)
            .where(
                orm.offers.c.provider_id == provider_id,
                orm.offers.c.status == OfferStatus.PUBLISHED.value,
            )
            .with_for_update()
        )
        return [self._entity(r) for r in rows]

    async def page(
        self,
        where: OfferFilter,
        *,
        limit: int,
        cursor: str | None = None,
        sort: OfferSort = OfferSort.UPDATED,
        offset: int = 0,
    ) -> OfferPage:
        """Offers in ``sort`` order, ``offset`` skipped; by (updated_at, id) the cursor continues
        after the last one returned (other orders page by offset and give no cursor)."""
        o = orm.offers
        query = filtered(select(o), where)
        if cursor:
            if sort is not OfferSort.UPDATED:
                raise InvalidField("cursor", "a cursor pages only sort=updated; use offset")
            after_stamp, after_id = decode_cursor(cursor)
            query = query.where(
                or_(
                    o.c.updated_at > after_stamp,
                    and_(o.c.updated_at == after_stamp, o.c.id > after_id),
                )
            )
        query = query.order_by(*ORDER[sort]).offset(offset).limit(limit + 1)
        rows = (await self.session.execute(query)).all()
        items = [self._entity(r) for r in rows[:limit]]
        more = len(rows) > limit and sort is OfferSort.UPDATED
        return OfferPage(items, encode_cursor(items[-1].updated_at, items[-1].id) if more else None)

    async def count(self, where: OfferFilter) -> int:
        """How many offers pass ``where``, on all pages."""
        query = filtered(select(func.count()).select_from(orm.offers), where)
        return int(await self.session.scalar(query) or 0)

    @staticmethod
    def _row(o: Offer) -> dict[str, Any]:
        return {
            "id": o.id,
            "provider_id": o.provider_id,
            "category": o.details.category.value,
            "municipality": o.details.location.municipality,
            "status": o.status.value,
            "title_search": " ".join(o.details.title.values()).lower(),
            "title_sort": o.details.title["de"].casefold(),
            "start_date": o.details.start_date,
            "version": o.version,
            "updated_at": o.updated_at,
            "details": as_json(o.details),
        }

    @staticmethod
    def _entity(row: Any) -> Offer:
        return Offer(
            id=row.id,
            provider_id=row.provider_id,
            details=OfferDetails.model_validate(row.details),
            status=OfferStatus(row.status),
            version=row.version,
            updated_at=as_utc(row.updated_at),
        )


class NeedRepository(Repository[Need]):
    table = orm.needs

    async def of_advisor(
        self,
        advisor_id: str,
        status: NeedStatus | None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[Sequence[Need], int]:
        """One page of the advisor's needs in order of their last change, and how many there are."""
        n = orm.needs.c
        wanted = n.advisor_id == advisor_id
        if status is not None:
            wanted = wanted & (n.status == status.value)
        order = (n.updated_at.desc(), n.id.desc()) if newest_first else (n.updated_at, n.id)
        query = select(orm.needs).where(wanted).order_by(*order).offset(offset).limit(limit)
        rows = [self._entity(r) for r in await self.session.execute(query)]
        if limit is None and offset == 0:
            return rows, len(rows)
        total = await self.session.scalar(select(func.count()).select_from(orm.needs).where(wanted))
        return rows, int(total or 0)

    async def erase(self, need_id: str) -> bool:
        """Delete the need's row; True when there was one."""
        result = await self.session.execute(delete(orm.needs).where(orm.needs.c.id == need_id))
        return bool(getattr(result, "rowcount", 0) == 1)

    async def expired(self, today: date, limit: int) -> Sequence[str]:
        rows = await self.session.execute(
            select(orm.needs.c.id).where(orm.needs.c.expires_on < today).limit(limit)
        )
        return [r.id for r in rows]

    async def reference_taken(self, reference: str) -> bool:
        return bool(
            await self.session.scalar(select(exists().where(orm.needs.c.reference == reference)))
        )

    @staticmethod
    def _row(n: Need) -> dict[str, Any]:
        return {
            "id": n.id,
            "reference": n.reference,
            "advisor_id": n.advisor_id,
            "status": n.status.value,
            "case_reference": n.case_reference,
            "expires_on": n.expires_on,
            "version": n.version,
            "updated_at": n.updated_at,
            "details": as_json(n.details),
        }

    @staticmethod
    def _entity(row: Any) -> Need:
        return Need(
            id=row.id,
            reference=row.reference,
            advisor_id=row.advisor_id,
            details=NeedDetails.model_validate(row.details),
            expires_on=row.expires_on,
            case_reference=row.case_reference,
            status=NeedStatus(row.status),
            version=row.version,
            updated_at=as_utc(row.updated_at),
        )
