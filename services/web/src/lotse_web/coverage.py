"""The coverage figures as the coordinators' desk shows them: rows, weeks, and "< 5".

Matching suppresses counts of needs from 1 to 4 as ``"< 5"`` so that no person
can be singled out. The web app holds to that on its own as well: a need count
of 1 to 4 that reaches it as a number is shown as ``"< 5"`` all the same, and it
never adds need counts up (a sum over suppressed cells would either reveal them
or be wrong), so the desk shows no totals of needs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_skeleton

from lotse_shared.region import Region
from lotse_web import i18n, labels
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_

__all__ = [
    "SUPPRESSED",
    "CoverageRow",
    "Figure",
    "TrendSeries",
    "TrendTable",
    "coverage_rows",
    "need_count",
    "suppressed_csv",
    "trend_table",
]

SUPPRESSED = "< 5"
AT_LEAST = "≥"
NEED_FIGURES = ("open_needs", "needs_without_match")
OFFER_FIGURES = ("published_offers", "free_places")
FIGURES = NEED_FIGURES + OFFER_FIGURES
FIGURE_NAMES = {
    "open_needs": N_("Open needs"),
    "needs_without_match": N_("Needs without a match"),
    "published_offers": N_("Published offers"),
    "free_places": N_("Free places"),
}

# A figure as shown: a number, "< 5", or None where there is nothing to show.
Figure = int | str | None


def need_count(value: Any) -> Figure:
    """A count of needs fit to show: 1 to 4 become "< 5", whatever form they came in."""
    if value is None:
        return None
    if value == SUPPRESSED:
        return SUPPRESSED
    if isinstance(value, str) and value.startswith(AT_LEAST):
        return value  # a total with hidden parts, told by matching only from what they show
    number = int(value)
    return SUPPRESSED if 1 <= number <= 4 else number


def offer_count(value: Any) -> Figure:
    """Offers and places are not about people: shown as they are."""
    return None if value is None else int(value)


def figure(name: str, value: Any) -> Figure:
    return need_count(value) if name in NEED_FIGURES else offer_count(value)


def rank(value: Figure) -> float:
    """For ordering and drawing only: "< 5" sits between 0 and 5, never at a real count."""
    if value is None:
        return 0.0
    if value == SUPPRESSED:
        return 2.5
    if isinstance(value, str):  # "≥ N": drawn at the N it is known to reach
        return float(value.removeprefix(AT_LEAST))
    return float(value)


@dataclass(frozen=True)
class CoverageRow:
    municipality: str
    municipality_name: str
    category: str
    open_needs: Figure
    needs_without_match: Figure
    published_offers: Figure
    free_places: Figure

    @property
    def empty(self) -> bool:
        """No need and no offer of this kind here: a row that says nothing."""
        figures = (self.open_needs, self.needs_without_match, self.published_offers,
                   self.free_places)  # fmt: skip
        return all(f in (0, None) for f in figures)

    @property
    def missing(self) -> bool:
        """Needs wait here with no offer of their kind proposed."""
        return self.needs_without_match not in (0, None)


def coverage_rows(payload: list[dict[str, Any]], region: Region) -> list[CoverageRow]:
    """Matching's rows, ordered by municipality and then by kind as people read them."""
    rows = [
        CoverageRow(
            r["municipality"],
            r.get("municipality_name") or region.name_of(r["municipality"]),
            r["category"],
            *(figure(name, r.get(name)) for name in FIGURES),
        )
        for r in payload
    ]
    return sorted(rows, key=lambda r: (r.municipality_name, _(labels.CATEGORIES.get(r.category,
                                                                           r.category))))  # fmt: skip


@dataclass(frozen=True)
class TrendSeries:
    key: str
    name: str
    values: list[Figure]  # one per week; None: no snapshot in that week


@dataclass(frozen=True)
class TrendTable:
    by: str
    figure: str
    weeks: list[date]
    series: list[TrendSeries]

    @property
    def week_labels(self) -> list[str]:
        """The Monday of each week, short (day and month): the caption says the rest."""
        return [format_skeleton("Md", w, locale=i18n.locale()) for w in self.weeks]

    @property
    def empty_weeks(self) -> list[date]:
        return [w for i, w in enumerate(self.weeks)
                if all(s.values[i] is None for s in self.series)]  # fmt: skip


def trend_table(payload: dict[str, Any], chosen: str, region: Region) -> TrendTable:
    """One figure of matching's history, a row per municipality or kind, a column per week."""
    weeks = [date.fromisoformat(w) for w in payload.get("weeks", [])]
    series = []
    for s in payload.get("series", []):
        by_week = {p["week"]: p for p in s.get("points", [])}
        values = [
            None
            if by_week.get(w.isoformat(), {}).get("day") is None
            else figure(chosen, by_week[w.isoformat()].get(chosen))
            for w in weeks
        ]
        series.append(TrendSeries(s["key"], _series_name(payload.get("by", ""), s, region),
                                  values))  # fmt: skip
    series.sort(key=lambda s: s.name)
    return TrendTable(str(payload.get("by", "municipality")), chosen, weeks, series)


def _series_name(by: str, series: dict[str, Any], region: Region) -> str:
    if by == "category":
        return _(labels.CATEGORIES.get(series["key"], series["key"]))
    return str(series.get("name") or region.name_of(series["key"]))


def suppressed_csv(raw: bytes) -> bytes:
    """Matching's CSV with every need count of 1 to 4 as "< 5", should one slip through."""
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []), lineterminator="\r\n")
    writer.writeheader()
    for row in reader:
        for name in NEED_FIGURES:
            if row.get(name) not in (None, "", SUPPRESSED):
                row[name] = str(need_count(row[name]))
        writer.writerow(row)
    return out.getvalue().encode("utf-8")
