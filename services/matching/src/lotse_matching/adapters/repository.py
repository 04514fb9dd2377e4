"""Matching's storage: the read model (upserts keyed by id and version) and the matches.

Every stored change of a need takes the next change number (``seq``) while
the matching lock is held, so the change numbers follow the commit order.
The in-memory need index catches up by reading the changes after the last
one it applied: it never holds anything a transaction has not committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_matching.domain.fit import Fit
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.need_index import NeedIndex
from lotse_shared.contracts import (
    Category,
    InvalidationReason,
    MatchStatus,
    NeedDetails,
    NeedStatus,
    OfferDetails,
    OfferStatus,
    match_id_for,
)
from lotse_shared.database import as_utc, chunks, insert_ignoring_duplicates, update_by_id

__all__ = [
    "ActiveMatch",
    "MatchQueries",
    "MatchRepository",
    "OfferDetailsCache",
    "ReadModel",
    "StoredMatch",
]

_ERASED_STATUS = "erased"  # a need's row kept as a marker once the need is erased
_ERASED_VERSION = 2**31 - 1  # newer than any event: a late copy of an old one cannot revive it
_CATCH_UP_ROWS = 5_000


def _offer(row: Any, parsed: OfferDetailsCache | None = None) -> Offer:
    details = parsed.details(row) if parsed else OfferDetails.model_validate(row.details)
    return Offer(row.id, row.provider_id, OfferStatus(row.status), row.version, details)


class OfferDetailsCache:
    """Offers' parsed details by (id, version), for as long as the store behind it lives.

    A version's details never change, and validating them (pydantic, e-mail
    addresses) was most of what ranking a need cost: every published offer of
    its kinds was parsed again for every need. Bounded: when full it starts
    afresh. Like the need index, it must be told when its store is emptied.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._parsed: dict[tuple[str, int], OfferDetails] = {}

    def details(self, row: Any) -> OfferDetails:
        key = (row.id, row.version)
        found = self._parsed.get(key)
        if found is None:
            if len(self._parsed) >= self.limit:
                self._parsed.clear()
            found = self._parsed[key] = OfferDetails.model_validate(row.details)
        return found

    def forget(self) -> None:
        self._parsed.clear()


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
            rows = await self.session.execute(select(n.id, n.version).where(n.id.in_(some)))
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
                select(orm.needs).where(n.nid.in_(some), n.status != _ERASED_STATUS).order_by(n.nid)
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
                    (r.nid, NeedDetails.model_validate(r.details) if r.status == "open" else None)
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
                select(orm.needs).where(n.id.in_(some), n.status != _ERASED_STATUS)
            )
            found.extend(_need(r) for r in rows)
        return sorted(found, key=lambda need: need.id)

    async def offers_with_ids(self, offer_ids: Sequence[str]) -> list[Offer]:
        """The stored offers among ``offer_ids``, whatever their status."""
        found: list[Offer] = []
        for some in chunks(offer_ids):
            rows = await self.session.execute(select(orm.offers).where(orm.offers.c.id.in_(some)))
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


def _match_values(need: Need, offer: Offer, fit: Fit) -> dict[str, Any]:
    return {
        "need_id": need.id,
        "offer_id": offer.id,
        "status": MatchStatus.ACTIVE,
        "score": fit.score,
        "reasons": [{"code": r.code, "de": r.de, "en": r.en} for r in fit.reasons],
        "eligibility": fit.eligibility.value,
    }


@dataclass(frozen=True)
class ActiveMatch:
    id: str
    need_id: str
    offer_id: str


class MatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def activate_ranked(
        self, ranked: Sequence[tuple[Need, Offer, Fit]], now: datetime
    ) -> set[str]:
        """Make each (need, offer) an active match with its new rank; the ids not active before.

        Matches active already keep the moment they were found and get the new
        score and reasons; new or invalidated ones are found now.
        """
        m = orm.matches.c
        by_id = {match_id_for(need.id, offer.id): (need, offer, fit) for need, offer, fit in ranked}
        status: dict[str, MatchStatus] = {}
        for some in chunks(list(by_id)):
            rows = await self.session.execute(select(m.id, m.status).where(m.id.in_(some)))
            status.update((r.id, MatchStatus(r.status)) for r in rows)
        fresh: list[dict[str, Any]] = []
        revived: list[dict[str, Any]] = []
        refreshed: list[dict[str, Any]] = []
        for match_id, (need, offer, fit) in by_id.items():
            values = _match_values(need, offer, fit) | {"id": match_id}
            was = status.get(match_id)
            if was is None:
                fresh.append(values | {"found_at": now})
            elif was == MatchStatus.ACTIVE:
                refreshed.append(values)
            else:
                revived.append(
                    values | {"found_at": now, "invalidated_at": None, "invalidation_reason": None}
                )
        if fresh:
            await self.session.execute(insert(orm.matches), fresh)
        await update_by_id(self.session, orm.matches, revived)
        await update_by_id(self.session, orm.matches, refreshed)
        return {match_id for match_id in by_id if status.get(match_id) != MatchStatus.ACTIVE}

    async def invalidate_all(
        self, match_ids: Sequence[str], reason: InvalidationReason, now: datetime
    ) -> None:
        for some in chunks(match_ids):
            await self.session.execute(
                update(orm.matches)
                .where(orm.matches.c.id.in_(some))
                .values(
                    status=MatchStatus.INVALIDATED, invalidated_at=now, invalidation_reason=reason
                )
            )

    async def active_of_offer(self, offer_id: str) -> Sequence[ActiveMatch]:
        m = orm.matches
        rows = await self.session.execute(
            select(m.c.id, m.c.need_id, m.c.offer_id).where(
                m.c.offer_id == offer_id, m.c.status == MatchStatus.ACTIVE
            )
        )
        return [ActiveMatch(r.id, r.need_id, r.offer_id) for r in rows]

    async def active_of_need(self, need_id: str) -> Sequence[ActiveMatch]:
        m = orm.matches
        rows = await self.session.execute(
            select(m.c.id, m.c.need_id, m.c.offer_id).where(
                m.c.need_id == need_id, m.c.status == MatchStatus.ACTIVE
            )
        )
        return [ActiveMatch(r.id, r.need_id, r.offer_id) for r in rows]

    async def active_ranks_of(self, need_ids: Sequence[str]) -> dict[str, list[tuple[float, str]]]:
        """For each of ``need_ids``: the (score, offer id) of its active matches."""
        m = orm.matches.c
        ranks: dict[str, list[tuple[float, str]]] = {}
        for some in chunks(need_ids):
            rows = await self.session.execute(
                select(m.need_id, m.score, m.offer_id).where(
                    m.need_id.in_(some), m.status == MatchStatus.ACTIVE
                )
            )
            for need_id, score, offer_id in rows:
                ranks.setdefault(need_id, []).append((score, offer_id))
        return ranks

    async def erase_need(self, need_id: str) -> None:
        await self.session.execute(delete(orm.matches).where(orm.matches.c.need_id == need_id))

    async def for_need(self, need_id: str, *, ended: bool = False) -> Sequence[dict[str, Any]]:
        """The need's active matches, best first; with ``ended``, the ended ones after them."""
        m = orm.matches
        wanted = m.c.need_id == need_id
        if not ended:
            wanted = wanted & (m.c.status == MatchStatus.ACTIVE)
        rows = await self.session.execute(
            select(m)
            .where(wanted)
            .order_by((m.c.status != MatchStatus.ACTIVE), m.c.score.desc(), m.c.offer_id)
        )
        return [r._asdict() for r in rows]


@dataclass(frozen=True)
class StoredMatch:
    id: str
    need_id: str
    offer_id: str
    status: MatchStatus
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
            StoredMatch(row.id, row.need_id, row.offer_id, MatchStatus(row.status), row.decision)
            if row
            else None
        )

    async def details(self, match_id: str) -> dict[str, Any] | None:
        """Everything stored of one match, active or not."""
        m = orm.matches
        row = (await self.session.execute(select(m).where(m.c.id == match_id))).one_or_none()
        return row._asdict() if row else None

    async def decide(self, match_id: str, decision: str, reason: str | None, now: datetime) -> None:
        await self.session.execute(
            update(orm.matches)
            .where(orm.matches.c.id == match_id)
            .values(decision=decision, decline_reason=reason, decided_at=now)
        )

    async def counts_for_offer(self, offer_id: str) -> dict[str, int]:
        return (await self.counts_for_offers([offer_id]))[offer_id]

    async def counts_for_offers(self, offer_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Per offer: its active matches, and the accepted and declined ones."""
        m = orm.matches
        counts = {o: {"active": 0, "accepted": 0, "declined": 0} for o in offer_ids}
        for part in chunks(list(counts)):
            rows = await self.session.execute(
                select(m.c.offer_id, m.c.status, m.c.decision, func.count())
                .where(m.c.offer_id.in_(part))
                .group_by(m.c.offer_id, m.c.status, m.c.decision)
            )
            for offer_id, status, decision, n in rows:
                if status == MatchStatus.ACTIVE:
                    counts[offer_id]["active"] += n
                if decision in ("accepted", "declined"):
                    counts[offer_id][decision] += n
        return counts

    async def owners_of_offers(self, offer_ids: Sequence[str]) -> dict[str, str]:
        """The provider of each of the offers that are known."""
        o = orm.offers.c
        found: dict[str, str] = {}
        for part in chunks(offer_ids):
            rows = await self.session.execute(select(o.id, o.provider_id).where(o.id.in_(part)))
            found.update({r.id: r.provider_id for r in rows})
        return found

    async def counts_per_need(
        self, need_ids: Sequence[str], since: datetime | None
    ) -> dict[str, tuple[int, int]]:
        """Per need: its active matches, and how many of them were found after ``since``."""
        m = orm.matches
        found: dict[str, tuple[int, int]] = {}
        for part in chunks(need_ids):
            rows = await self.session.execute(
                select(m.c.need_id, m.c.found_at).where(
                    m.c.need_id.in_(part), m.c.status == MatchStatus.ACTIVE
                )
            )
            for need_id, found_at in rows:
                active, new = found.get(need_id, (0, 0))
                fresh = since is not None and as_utc(found_at) > since
                found[need_id] = (active + 1, new + fresh)
        return found

    async def needs_of_advisor(self, advisor_id: str) -> list[str]:
        rows = await self.session.execute(
            select(orm.needs.c.id)
            .where(orm.needs.c.advisor_id == advisor_id)
            .order_by(orm.needs.c.nid)  # as registered
        )
        return [r.id for r in rows]
