"""The schematic map of the coverage desk: each municipality a circle where its centre lies.

The circle's size says how many needs wait there without a match; its label is
put on the first side where it covers no other circle and no other label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lotse_shared.region import Region
from lotse_web.coverage import SUPPRESSED, CoverageRow, rank
from lotse_web.coverage_chart import shown

__all__ = ["MapChart", "Place", "map_chart"]

CHARACTER = 7.6  # about how wide a letter of the labels is, in the map's units
Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Place:
    name: str
    x: float
    y: float
    r: float
    label: str
    kind: str  # "none", "suppressed" or "number": how the circle is drawn
    anchor: str  # the labels' text-anchor: start, middle or end
    label_x: float
    name_y: float
    value_y: float


@dataclass(frozen=True)
class MapChart:
    width: int
    height: int
    places: list[Place]


@dataclass(frozen=True)
class _Circle:
    name: str
    x: float
    y: float
    r: float
    label: str
    kind: str
    west: bool  # west of the district's centre: its label goes left first


def map_chart(rows: list[CoverageRow], region: Region, width: int = 520) -> MapChart:
    """The municipalities where they lie, each a circle sized by its needs without a match."""
    towns = sorted(region.municipalities.values(), key=lambda t: t.name)
    if not towns:
        return MapChart(width, 100, [])
    squeeze = math.cos(math.radians(sum(t.lat for t in towns) / len(towns)))
    west, east = min(t.lon for t in towns), max(t.lon for t in towns)
    south, north = min(t.lat for t in towns), max(t.lat for t in towns)
    margin, side = 60, 120  # room for the labels above, below, left and right
    span_x, span_y = max((east - west) * squeeze, 1e-6), max(north - south, 1e-6)
    scale = min((width - 2 * side) / span_x, 440 / span_y)
    offset_x = (width - span_x * scale) / 2
    by_town = {r.municipality: r.needs_without_match for r in rows}
    top = max(max((rank(v) for v in by_town.values()), default=0.0), 5.0)
    circles = []
    for town in towns:
        value = by_town.get(town.ags) or 0
        kind = "none" if value == 0 else "suppressed" if value == SUPPRESSED else "number"
        r = 5.0 if kind == "none" else round(7 + 18 * math.sqrt(rank(value) / top), 1)
        circles.append(_Circle(town.name, round(offset_x + (town.lon - west) * squeeze * scale, 1),
                               round(margin + (north - town.lat) * scale, 1), r, shown(value),
                               kind, town.lon < (west + east) / 2))  # fmt: skip
    return MapChart(width, int(span_y * scale + 2 * margin), _labelled(circles, width))


def _labelled(circles: list[_Circle], width: int) -> list[Place]:
    taken: list[Box] = [(c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r) for c in circles]
    places = []
    for c in circles:
        w = CHARACTER * max(len(c.name), len(c.label))
        options = {
            "end": (c.x - c.r - 5, c.y - 2, c.y + 14, (c.x - c.r - 5 - w, c.y - 14, c.x - c.r, c.y + 18)),
            "start": (c.x + c.r + 5, c.y - 2, c.y + 14, (c.x + c.r, c.y - 14, c.x + c.r + 5 + w, c.y + 18)),
            "above": (c.x, c.y - c.r - 20, c.y - c.r - 6, (c.x - w / 2, c.y - c.r - 34, c.x + w / 2, c.y - c.r)),
            "below": (c.x, c.y + c.r + 14, c.y + c.r + 28, (c.x - w / 2, c.y + c.r, c.x + w / 2, c.y + c.r + 32)),
        }  # fmt: skip
        order = ["end", "start"] if c.west else ["start", "end"]
        free = [o for o in [*order, "above", "below"]
                if _inside(options[o][3], width) and not any(_overlap(options[o][3], b)
                                                             for b in taken if b != _own(c))]  # fmt: skip
        chosen = free[0] if free else order[0]
        x, name_y, value_y, box = options[chosen]
        taken.append(box)
        anchor = "middle" if chosen in ("above", "below") else chosen
        places.append(Place(c.name, c.x, c.y, c.r, c.label, c.kind, anchor, round(x, 1),
                            round(name_y, 1), round(value_y, 1)))  # fmt: skip
    return places


def _own(c: _Circle) -> Box:
    return (c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r)


def _inside(box: Box, width: int) -> bool:
    return box[0] >= 2 and box[2] <= width - 2 and box[1] >= 2


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
