"""Coverage: where needs wait and what is on offer, today and week by week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

from lotse_matching.domain.coverage import (
    latest_day_of_each_week,
    suppress_few,
    suppressed_total,
    week_starts,
)
from lotse_matching.service_layer.unit_of_work import UnitOfWork

__all__ = [
    "FIGURES",
    "Coverage",
    "CoverageHistory",
    "HistorySeries",
    "coverage",
    "coverage_history",
    "shown",
    "take_coverage_snapshot",
]

FIGURES = ("open_needs", "needs_without_match", "published_offers", "free_places")
_PEOPLE = ("open_needs", "needs_without_match")  # counts of people, anonymised when shown


@dataclass(frozen=True)
class Coverage:
    """One municipality and kind of offer, raw counts."""

    municipality: str
    category: str
    open_needs: int
    needs_without_match: int
    published_offers: int
    free_places: int


def shown(figures: dict[str, Any]) -> dict[str, Any]:
    """``figures`` as coordinators may see them: the counts of people suppressed."""
    return figures | {k: suppress_few(figures[k]) for k in _PEOPLE if figures.get(k) is not None}


async def _count(
    uow: UnitOfWork, municipalities: Iterable[str], category: str | None
) -> list[Coverage]:
    needs = await uow.coverage.open_needs()
    matched = await uow.coverage.matched_kinds()
    offers = await uow.coverage.published_offers()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for need_id, municipality, wanted in needs:
        for kind in set(wanted):
            row = counts[(municipality, kind)]
            row[0] += 1
            row[1] += (need_id, kind) not in matched
    for municipality, kind, free in offers:
        row = counts[(municipality, kind)]
        row[2] += 1
        row[3] += free
    places = set(municipalities) | {m for m, _ in counts}
    kinds = {k for _, k in counts if category in (None, k)}
    return [
        Coverage(m, k, *counts.get((m, k), (0, 0, 0, 0)))
        for m in sorted(places)
        for k in sorted(kinds)
    ]


async def coverage(
    uow: UnitOfWork, municipalities: Iterable[str], category: str | None = None
) -> list[Coverage]:
    """Every municipality given by every kind any need or offer has (or only ``category``).

    A need without match is an open need of the municipality wanting that kind
    with no active match with an offer of that kind.
    """
    async with uow:
        return await _count(uow, municipalities, category)


async def take_coverage_snapshot(
    uow: UnitOfWork, municipalities: Iterable[str], today: date
) -> int:
    """Replace ``today``'s snapshot with the figures of now, in one transaction; the rows written.

    Idempotent: taken again the same day, it replaces the day's rows.
    """
    async with uow:
        rows = await _count(uow, municipalities, None)
        await uow.coverage.replace_day(today, [asdict(r) for r in rows])
        await uow.commit()
    return len(rows)


@dataclass(frozen=True)
class HistorySeries:
    key: str
    name: str
    points: list[dict[str, Any]]


@dataclass(frozen=True)
class CoverageHistory:
    by: str
    weeks: list[date]
    series: list[HistorySeries]


def _totals(parts: list[list[int]]) -> dict[str, Any]:
    """Each figure summed over its parts; totals of people told only from what the parts show."""
    return {
        figure: suppressed_total(values) if figure in _PEOPLE else sum(values)
        for figure, values in zip(FIGURES, parts, strict=True)
    }


async def coverage_history(
    uow: UnitOfWork,
    today: date,
    *,
    weeks: int,
    by: Literal["municipality", "category"],
    name_of: Callable[[str], str],
    category: str | None = None,
    municipality: str | None = None,
) -> CoverageHistory:
    """The last ``weeks`` ISO weeks (oldest first, this one included): per week the latest
    snapshot day in it, summed over the other dimension; a total of people with hidden parts
    reads "≥ N" (see ``suppressed_total``).

    A week without a snapshot has null figures; a key is every ``by`` value
    found in any snapshot of the window.
    """
    mondays = week_starts(today, weeks)
    async with uow:
        rows = await uow.coverage.days_between(
            mondays[0],
            mondays[-1] + timedelta(days=6),
            category=category,
            municipality=municipality,
        )
    latest = latest_day_of_each_week((r.day for r in rows), mondays)
    chosen = set(latest.values())
    parts: dict[tuple[str, date], list[list[int]]] = defaultdict(lambda: [[], [], [], []])
    keys: set[str] = set()
    for row in rows:
        key = getattr(row, by)
        keys.add(key)
        if row.day in chosen:
            cell = parts[(key, row.day)]
            for i, figure in enumerate(FIGURES):
                cell[i].append(getattr(row, figure))
    series = []
    for key in sorted(keys):
        points = []
        for monday in mondays:
            day = latest.get(monday)
            figures: dict[str, Any] = (
                _totals(parts.get((key, day), [[], [], [], []]))
                if day is not None
                else dict.fromkeys(FIGURES)
            )
            points.append({"week": monday, "day": day} | figures)
        series.append(HistorySeries(key, name_of(key) if by == "municipality" else key, points))
    return CoverageHistory(by, mondays, series)
