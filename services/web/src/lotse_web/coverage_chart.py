"""The geometry of the coverage desk's pictures, drawn as SVG by the templates.

Everything is computed here, on the server, so the pictures need no script. A
count shown as "< 5" is drawn as an outlined mark of the size of 5 — a symbol
for "fewer than five", never a length that would give the real count away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lotse_web.coverage import SUPPRESSED, CoverageRow, Figure, TrendTable, rank

__all__ = ["BarChart", "TrendChart", "bar_chart", "nice_top", "shown", "trend_charts"]


def nice_top(highest: float) -> int:
    """The axis' end: 5, 10, 20, 25, 50, 100 … at or above the highest value."""
    top = max(highest, 5.0)
    magnitude = 10 ** math.floor(math.log10(top))
    return int(next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= top))


def shown(value: Figure) -> str:
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
    top = nice_top(max((rank(v) for r in rows for v in (r.open_needs, r.needs_without_match)),
                        default=0))  # fmt: skip
    plot = width - LABELS_WIDTH - 40

    def bar(value: Figure, y: float) -> Bar:
        suppressed = value == SUPPRESSED
        length = 5.0 if suppressed else rank(value)
        return Bar(y, round(plot * length / top, 1), shown(value), suppressed)

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
    top = nice_top(max((rank(v) for s in table.series for v in s.values), default=0))
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
