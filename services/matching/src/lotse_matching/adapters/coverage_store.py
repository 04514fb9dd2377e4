"""What the coverage figures are counted from, and the daily snapshots they are kept in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_matching.adapters import orm
from lotse_shared.contracts import MatchStatus
from lotse_shared.database import is_postgres

__all__ = ["CoverageStore"]

_SNAPSHOT_LOCK_KEY = 0x434F5645
_OPEN = "open"
_PUBLISHED = "published"


class CoverageStore:
    """Reads of the matches behind the coverage figures; the snapshot of each day."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # The coverage figures read needs and offers as matching itself stored them (the JSON of
    # validated details), so only the fields they count are picked, and nothing is parsed again:
    # building every open need and published offer as a model cost the coverage desk a second.

    async def open_needs(self) -> list[tuple[str, str, list[str]]]:
        """(need id, municipality, kinds wanted) of every open need."""
        n = orm.needs.c
        rows = await self.session.execute(select(n.id, n.details).where(n.status == _OPEN))
        return [(r.id, r.details["municipality"], r.details["categories"]) for r in rows]

    async def published_offers(self) -> list[tuple[str, str, int]]:
        """(municipality of the venue, kind, free places) of every published offer."""
        o = orm.offers.c
        rows = await self.session.execute(
            select(o.category, o.details).where(o.status == _PUBLISHED)
        )
        return [
            (r.details["location"]["municipality"], r.category,
             r.details.get("places_available") or 0)
            for r in rows
        ]  # fmt: skip

    async def matched_kinds(self) -> set[tuple[str, str]]:
        """(need id, kind of offer) for every need with an active match with an offer of that kind."""
        m, o = orm.matches.c, orm.offers.c
        rows = await self.session.execute(
            select(m.need_id, o.category)
            .join_from(orm.matches, orm.offers, m.offer_id == o.id)
            .where(m.status == MatchStatus.ACTIVE)
            .distinct()
        )
        return {(r.need_id, r.category) for r in rows}

    async def replace_day(self, day: date, rows: Sequence[Mapping[str, Any]]) -> None:
        """Make ``rows`` the whole snapshot of ``day``.

        Instances taking the same day's snapshot at once wait for each other
        (SQLite serialises writers already), so the later one replaces the
        earlier one's rows instead of colliding with them.
        """
        if is_postgres(self.session):
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SNAPSHOT_LOCK_KEY}
            )
        c = orm.coverage_days.c
        await self.session.execute(delete(orm.coverage_days).where(c.day == day))
        if rows:
            await self.session.execute(
                insert(orm.coverage_days), [dict(row) | {"day": day} for row in rows]
            )

    async def days_between(
        self, first: date, last: date, *, category: str | None, municipality: str | None
    ) -> Sequence[Any]:
        """Every snapshot row from ``first`` to ``last`` (inclusive), filtered, by day."""
        c = orm.coverage_days.c
        query = select(orm.coverage_days).where(c.day >= first, c.day <= last)
        if category is not None:
            query = query.where(c.category == category)
        if municipality is not None:
            query = query.where(c.municipality == municipality)
        return (await self.session.execute(query.order_by(c.day))).all()
