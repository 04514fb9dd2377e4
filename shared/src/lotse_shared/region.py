"""The district Lotse serves, loaded from a data file (Kreis Unna by default)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["Municipality", "Region", "load_region"]


@dataclass(frozen=True)
class Municipality:
    ags: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Region:
    """The municipalities of one district, keyed by AGS."""

    name: str
    reference_prefix: str
    municipalities: dict[str, Municipality]

    def __contains__(self, ags: object) -> bool:
        return ags in self.municipalities

    def name_of(self, ags: str) -> str:
        found = self.municipalities.get(ags)
        return found.name if found else ags


def load_region(path: str | Path | None = None) -> Region:
    """Read a region file; without a path, the packaged Kreis Unna."""
    if path is None:
        raw = resources.files("lotse_shared.regions").joinpath("kreis_unna.json").read_text("utf-8")
    else:
        raw = Path(path).read_text("utf-8")
    data = json.loads(raw)
    municipalities = {
        m["ags"]: Municipality(m["ags"], m["name"], float(m["lat"]), float(m["lon"]))
        for m in data["municipalities"]
    }
    return Region(data["name"], data["reference_prefix"], municipalities)
