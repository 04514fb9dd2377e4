"""Matching's read model: offers and needs as the latest events described them (upserts keyed
by id and version), and the catch-up of the in-memory need index.

Every stored change of a need takes the next change number (``seq``) while
the matching lock is held, so the change numbers follow the commit order.
The in-memory need index catches up by reading the changes after the last
one it applied: it never holds anything a transaction has not committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_matching.adapters.offer_details import OfferDetailsCache
from lotse_matching.adapters.stored_needs import stored_need_details
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.need_index import NeedIndex
from lotse_shared.contracts import Category, NeedStatus, OfferDetails, OfferStatus
from lotse_shared.database import among, chunks, insert_ignoring_duplicates, update_by_id

__all__ = ["ReadModel"]

_ERASED_STATUS = "erased"  # a need's row kept as a marker once the need is erased
_ERASED_VERSION = 2**31 - 1  # newer than any event: a late copy of an old one cannot revive it
_CATCH_UP_ROWS = 5_000


def _offer(row: Any, parsed: OfferDetailsCache | None = None) -> Offer:
    details = parsed.details(row) if parsed else OfferDetails.model_validate(row.details)
    return Offer(row.id, row.provider_id, OfferStatus(row.status), row.version, details)


def _need(row: Any) -> Need:
    # Only matching writes this table, from needs it validated as they came in.
    return Need(
        row.id,
        row.reference,
        row.advisor_id,
        NeedStatus(row.status),
        row.version,
        stored_need_details(row.details),
    )


class ReadModel:
    """Offers and needs as the latest events described them, and the index of open needs."""

    def __init__(
        self, session: AsyncSession, index: NeedIndex, parsed: OfferDetailsCache | None = None
    ) -> None:
        self.session = session
        self.index = index
        self.parsed = parsed or OfferDetailsCache()
        self.stored_needs = False  # whether this transaction changed any need

    async def _upsert(
        self, table: Table, values: dict[str, Any], new_row: dict[str, Any] | None = None
    ) -> bool:
        """Store ``values`` unless a same or newer version is stored; True when stored.

        ``new_row`` holds the columns a row gets only when it is inserted.
        """
        if await insert_ignoring_duplicates(self.session, table, values | (new_row or {})):
            return True
        result = await self.session.execute(
            update(table)
            .where(table.c.id == values["id"], table.c.version < values["version"])
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def save_offer(self, offer: Offer) -> bool:
        self.parsed.remember(offer)  # what this version's row will be read back as
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

    async def _next_numbers(self) -> tuple[int, int]:
        """The next free nid and change number, in one query; the matching lock is held."""
        n = orm.needs.c
        nid, seq = (
            await self.session.execute(
                select(func.coalesce(func.max(n.nid), 0), func.coalesce(func.max(n.seq), 0))
            )
        ).one()
        return int(nid) + 1, int(seq) + 1

    async def save_needs(self, needs: Sequence[Need]) -> list[Need]:
        """Store each need unless a same or newer version is stored; the ones stored, in order.

        A few statements for all of them; each id at most once.
        """
        n = orm.needs.c
        stored: dict[str, int] = {}
        for some in chunks([need.id for need in needs]):
            rows = await self.session.execute(
                select(n.id, n.version).where(among(self.session, n.id, some))
            )
            stored.update((r.id, r.version) for r in rows)
        nid, seq = await self._next_numbers()
        self.stored_needs = True
        fresh: list[dict[str, Any]] = []
        newer: list[dict[str, Any]] = []
        saved: list[Need] = []
        for need in needs:
            version = stored.get(need.id)
            if version is not None and version >= need.version:
                continue
            values = {
                "id": need.id,
                "reference": need.reference,
                "advisor_id": need.advisor_id,
                "status": need.status.value,
                "version": need.version,
                "details": need.details.model_dump(mode="json"),
                "seq": seq,
            }
            seq += 1
            if version is None:
                fresh.append(values | {"nid": nid})
                nid += 1
            else:
                newer.append(values)
            saved.append(need)
        if fresh:
            await self.session.execute(insert(orm.needs), fresh)
        await update_by_id(self.session, orm.needs, newer)
        return saved

    async def erase_need(self, need_id: str) -> None:
        """Keep nothing of the need but its id, marked erased, so the index drops it too."""
        n = orm.needs.c
        nid, seq = await self._next_numbers()
        self.stored_needs = True
        erased = {
            "reference": "",
            "advisor_id": "",
            "status": _ERASED_STATUS,
            "version": _ERASED_VERSION,
            "details": {},
            "seq": seq,
        }
        new_row = {"id": need_id, "nid": nid}
        if not await insert_ignoring_duplicates(self.session, orm.needs, erased | new_row):
            await self.session.execute(update(orm.needs).where(n.id == need_id).values(**erased))

    async def fitting_needs(self, offer: Offer, ctx: Context) -> list[int]:
        """The nids of the open needs ``offer`` fits, in order, once the index has caught up."""
        await self.catch_up()
        return sorted(self.index.fitting(offer, ctx).tolist())

    async def needs_numbered(self, nids: Sequence[int]) -> list[Need]:
        """The needs with these nids, in nid order."""
        found: list[Need] = []
        n = orm.needs.c
        for some in chunks(nids):
            rows = await self.session.execute(
                select(orm.needs)
                .where(among(self.session, n.nid, some), n.status != _ERASED_STATUS)
                .order_by(n.nid)
            )
            found.extend(_need(r) for r in rows)
        return found

    async def catch_up(self) -> None:
        """Apply to the index every need change committed since the last one it saw."""
        n = orm.needs.c
        while True:
            rows = (
                await self.session.execute(
                    select(n.nid, n.seq, n.status, n.details)
                    .where(n.seq > self.index.seen)
                    .order_by(n.seq)
                    .limit(_CATCH_UP_ROWS)
                )
            ).all()
            if not rows:
                break
            self.index.apply(
                (
                    (r.nid, stored_need_details(r.details) if r.status == "open" else None)
                    for r in rows
                ),
                seen=rows[-1].seq,
            )

    async def offer(self, offer_id: str) -> Offer | None:
        row = (
            await self.session.execute(select(orm.offers).where(orm.offers.c.id == offer_id))
        ).one_or_none()
        return _offer(row, self.parsed) if row else None

    async def need(self, need_id: str) -> Need | None:
        n = orm.needs.c
        row = (
            await self.session.execute(
                select(orm.needs).where(n.id == need_id, n.status != _ERASED_STATUS)
            )
        ).one_or_none()
        return _need(row) if row else None

    async def needs_with_ids(self, need_ids: Sequence[str]) -> list[Need]:
        """The stored needs among ``need_ids``, in id order."""
        n = orm.needs.c
        found: list[Need] = []
        for some in chunks(need_ids):
            rows = await self.session.execute(
                select(orm.needs).where(among(self.session, n.id, some), n.status != _ERASED_STATUS)
            )
            found.extend(_need(r) for r in rows)
        return sorted(found, key=lambda need: need.id)

    async def offers_with_ids(self, offer_ids: Sequence[str]) -> list[Offer]:
        """The stored offers among ``offer_ids``, whatever their status."""
        found: list[Offer] = []
        for some in chunks(offer_ids):
            rows = await self.session.execute(
                select(orm.offers).where(among(self.session, orm.offers.c.id, some))
            )
            found.extend(_offer(r, self.parsed) for r in rows)
        return found

    async def published_offers_of(self, categories: Sequence[Category]) -> Sequence[Offer]:
        rows = await self.session.execute(
            select(orm.offers).where(
                orm.offers.c.status == OfferStatus.PUBLISHED.value,
                orm.offers.c.category.in_([c.value for c in categories]),
            )
        )
        return [_offer(r, self.parsed) for r in rows]
