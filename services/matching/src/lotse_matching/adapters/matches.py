"""Matching's writes of matches: ranked ones made active, ended ones invalidated, decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_matching.domain.fit import Fit
from lotse_matching.domain.model import Need, Offer
from lotse_shared.contracts import InvalidationReason, MatchStatus, match_id_for
from lotse_shared.database import among, chunks, update_by_id

__all__ = ["ActiveMatch", "MatchRepository"]


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
    """The matches a transaction of matching changes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def activate_ranked(
        self, ranked: Sequence[tuple[Need, Offer, Fit]], now: datetime
    ) -> set[str]:
        """Make each (need, offer) an active match with its new rank; the ids not active before.

        Matches active already keep the moment they were found and get the new
        score and reasons; new or invalidated ones are found now. An active
        match whose rank is what it was is not written at all: a change that
        alters no match costs no write of its matches.
        """
        m = orm.matches.c
        by_id = {match_id_for(need.id, offer.id): (need, offer, fit) for need, offer, fit in ranked}
        status: dict[str, MatchStatus] = {}
        stored: dict[str, tuple[float, Any, str]] = {}
        for some in chunks(list(by_id)):
            rows = await self.session.execute(
                select(m.id, m.status, m.score, m.reasons, m.eligibility).where(
                    among(self.session, m.id, some)
                )
            )
            for r in rows:
                status[r.id] = MatchStatus(r.status)
                stored[r.id] = (r.score, r.reasons, r.eligibility)
        fresh: list[dict[str, Any]] = []
        revived: list[dict[str, Any]] = []
        refreshed: list[dict[str, Any]] = []
        for match_id, (need, offer, fit) in by_id.items():
            values = _match_values(need, offer, fit) | {"id": match_id}
            was = status.get(match_id)
            if was is None:
                fresh.append(values | {"found_at": now})
            elif was == MatchStatus.ACTIVE:
                if stored[match_id] != (values["score"], values["reasons"], values["eligibility"]):
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
                .where(among(self.session, orm.matches.c.id, some))
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
                    among(self.session, m.need_id, some), m.status == MatchStatus.ACTIVE
                )
            )
            for need_id, score, offer_id in rows:
                ranks.setdefault(need_id, []).append((score, offer_id))
        return ranks

    async def erase_need(self, need_id: str) -> None:
        await self.session.execute(delete(orm.matches).where(orm.matches.c.need_id == need_id))

    async def record_decision(
        self, match_id: str, decision: str, reason: str | None, now: datetime
    ) -> None:
        """The advisor's decision on the match."""
        await self.session.execute(
            update(orm.matches)
            .where(orm.matches.c.id == match_id)
            .values(decision=decision, decline_reason=reason, decided_at=now)
        )
