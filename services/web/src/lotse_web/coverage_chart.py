"""The geometry of the coverage desk's pictures, drawn as SVG by the templates.

Everything is computed here, on the server, so the pictures need no script. A
count shown as "< 5" is drawn as an outlined mark of the size of 5 — a symbol
for "fewer than five", never a length that would give the real count away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lotse_shared.region import Municipality, Region
from lotse_web.coverage import SUPPRESSED, CoverageRow, Figure, TrendTable, rank

__all__ = ["BarChart", "MapChart", "TrendChart", "bar_chart", "map_chart", "trend_charts"]


def _nice_top(highest: float) -> int:
    """The axis' end: 5, 10, 20, 25, 50, 100 … at or above the highest value."""
    top = max(highest, 5.0)
    magnitude = 10 ** math.floor(math.log10(top))
    return int(next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= top))


def _shown(value: Figure) -> str:
    return "–" if value is None else str(value)


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    label: str
    suppressed: bool


@dataclass(frozen=True)
class BarGroup:
    name: str
    y: float
    open_needs: Bar
    without_match: Bar


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_start: int
    plot_width: int
    groups: list[BarGroup]
    ticks: list[Tick]


BAR = 14
GROUP = 46
LABELS_WIDTH = 130


def bar_chart(rows: list[CoverageRow], width: int = 460) -> BarChart:
    """Open needs against needs without a match, a pair of bars per municipality."""
    top = _nice_top(max((rank(v) for r in rows for v in (r.open_needs, r.needs_without_match)),
                        default=0))  # fmt: skip
    plot = width - LABELS_WIDTH - 40

    def bar(value: Figure, y: float) -> Bar:
        suppressed = value == SUPPRESSED
        length = 5.0 if suppressed else rank(value)
        return Bar(y, round(plot * length / top, 1), _shown(value), suppressed)

    groups = []
    for i, row in enumerate(rows):
        y = 30 + i * GROUP
        groups.append(BarGroup(row.municipality_name, y, bar(row.open_needs, y),
                               bar(row.needs_without_match, y + BAR + 2)))  # fmt: skip
    step = top / 5 if top % 5 == 0 else top / 2
    ticks = [Tick(round(LABELS_WIDTH + plot * (k * step) / top, 1), f"{k * step:g}")
             for k in range(int(top / step) + 1)]  # fmt: skip
    return BarChart(width, 40 + len(rows) * GROUP, LABELS_WIDTH, plot, groups, ticks)


@dataclass(frozen=True)
class Place:
    name: str
    x: float
    y: float
    r: float
    label: str
    kind: str  # "none", "suppressed" or "number": how the circle is drawn
    anchor: str  # the label's side, away from the district's centre
    label_x: float


@dataclass(frozen=True)
class MapChart:
    width: int
    height: int
    places: list[Place]


def map_chart(rows: list[CoverageRow], region: Region, width: int = 520) -> MapChart:
    """The municipalities where they lie, each a circle sized by its needs without a match."""
    towns = list(region.municipalities.values())
    if not towns:
        return MapChart(width, 100, [])
    lat_mid = sum(t.lat for t in towns) / len(towns)
    squeeze = math.cos(math.radians(lat_mid))  # a degree of longitude is shorter up here
    west, east = min(t.lon for t in towns), max(t.lon for t in towns)
    south, north = min(t.lat for t in towns), max(t.lat for t in towns)
    margin = 60
    span_x = max((east - west) * squeeze, 1e-6)
    span_y = max(north - south, 1e-6)
    side = 120  # room for the labels left and right
    scale = min((width - 2 * side) / span_x, 440 / span_y)
    height = int(span_y * scale + 2 * margin)
    offset_x = (width - span_x * scale) / 2
    centre_lon = (west + east) / 2
    by_town = {r.municipality: r.needs_without_match for r in rows}
    top = max((rank(v) for v in by_town.values()), default=0.0) or 1.0
    places = []
    for town in sorted(towns, key=lambda t: t.name):
        value = by_town.get(town.ags)
        x = round(offset_x + (town.lon - west) * squeeze * scale, 1)
        y = round(margin + (north - town.lat) * scale, 1)
        if value in (None, 0):
            kind, r = "none", 5.0
        else:
            kind = "suppressed" if value == SUPPRESSED else "number"
            r = round(7 + 18 * math.sqrt(rank(value) / max(top, 5.0)), 1)
        anchor = _label_side(town, towns, centre_lon)
        label_x = x - r - 5 if anchor == "end" else x + r + 5
        places.append(Place(town.name, x, y, r, _shown(value if value is not None else 0), kind,
                            anchor, round(label_x, 1)))  # fmt: skip
    return MapChart(width, height, places)


def _label_side(town: Municipality, towns: list[Municipality], centre_lon: float) -> str:
    """The label goes away from the nearest neighbour, else away from the district's centre."""
    others = [t for t in towns if t.ags != town.ags]
    if others:
        near = min(others, key=lambda t: (t.lat - town.lat) ** 2 + (t.lon - town.lon) ** 2)
        if abs(near.lon - town.lon) > 0.02 and abs(near.lat - town.lat) < 0.05:
            return "end" if near.lon > town.lon else "start"
    return "end" if town.lon < centre_lon else "start"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    suppressed: bool


@dataclass(frozen=True)
class TrendChart:
    name: str
    points: list[Point]
    lines: list[str]  # SVG polyline point lists, broken where a week has no figures
    first_week: str
    last_week: str
    top: int
    band_y: float  # the upper edge of the "< 5" band


TREND_WIDTH, TREND_HEIGHT, TREND_LEFT, TREND_TOP, TREND_PLOT = 240, 110, 42, 10, 70


def trend_charts(table: TrendTable, first: str, last: str) -> list[TrendChart]:
    """One small chart per series, all on the same scale so they can be compared."""
    top = _nice_top(max((rank(v) for s in table.series for v in s.values), default=0))
    count = max(len(table.weeks) - 1, 1)
    plot_width = TREND_WIDTH - TREND_LEFT - 10

    def y_of(value: float) -> float:
        return round(TREND_TOP + TREND_PLOT * (1 - value / top), 1)

    charts = []
    for series in table.series:
        points: list[Point] = []
        lines: list[str] = []
        current: list[str] = []
        for i, value in enumerate(series.values):
            if value is None:
                if current:
                    lines.append(" ".join(current))
                current = []
                continue
            x = round(TREND_LEFT + plot_width * i / count, 1)
            point = Point(x, y_of(rank(value)), str(value), value == SUPPRESSED)
            points.append(point)
            current.append(f"{point.x},{point.y}")
        if current:
            lines.append(" ".join(current))
        charts.append(TrendChart(series.name, points, [ln for ln in lines if " " in ln], first,
                                 last, top, y_of(5)))  # fmt: skip
    return charts
