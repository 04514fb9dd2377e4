"""What matching's HTTP API reads of matches; a module without a single write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_shared.contracts import MatchStatus
from lotse_shared.database import as_utc, chunks

__all__ = ["MatchQueries", "StoredMatch"]


@dataclass(frozen=True)
class StoredMatch:
    id: str
    need_id: str
    offer_id: str
    status: MatchStatus
    decision: str | None


class MatchQueries:
    """What the HTTP API reads of matches: one, a need's, and counts. It never writes."""

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
