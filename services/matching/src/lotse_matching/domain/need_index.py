"""Open needs held column by column, so that an offer finds the needs it fits without a scan.

The needs are kept in shards, one per wanted category and municipality of
residence (a need wanting two kinds of offer is in two shards), as numpy
columns of small numbers. For one offer the conditions on the offer alone
are checked once, and so is reachability per municipality: a shard in the
same place or the service area is reachable as a whole, another one where
the travel limit reaches the offer. The rest are a handful of vectorised
comparisons over the shards of the offer's category. The answer is exactly the set of open needs for
which :func:`~lotse_matching.domain.conditions.first_failure` finds
nothing; a property test holds the two together.

A need is known by ``nid``, a small integer the store gives it. The index
holds no ids, references or advisors: the caller loads the fitting needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from lotse_matching.domain.conditions import offer_full, offer_over
from lotse_matching.domain.geography import distance_from
from lotse_matching.domain.model import Context, Offer
from lotse_shared.contracts import (
    Category,
    DeliveryMode,
    Literacy,
    NeedDetails,
    OfferStatus,
    ResidenceStatus,
    TimeOfDay,
)

__all__ = ["NeedIndex"]

Nids = npt.NDArray[np.int64]

_COLUMNS: dict[str, type[np.generic]] = {
    "nid": np.int64,
    "live": np.bool_,
    "age": np.uint8,
    "level": np.uint8,  # GermanLevel.rank
    "requires": np.uint8,  # _CHILDCARE | _BARRIER_FREE | _NOT_LATIN, as the need requires
    "residence": np.uint16,  # one bit: _NO_STATUS when not given, else the status's bit
    "times": np.uint8,  # a bit per TimeOfDay; every bit when the need gave none (any time)
    "travel": np.float64,  # kept exact: it is compared with a float64 distance
    "earliest": np.int32,  # date.toordinal(); 0 when not given
}
_TIME_BIT = {t: 1 << i for i, t in enumerate(TimeOfDay)}
_ANY_TIME = (1 << len(TimeOfDay)) - 1
_CHILDCARE, _BARRIER_FREE, _NOT_LATIN = 1, 2, 4
_NO_STATUS = 1
_STATUS_BIT = {s: 1 << (i + 1) for i, s in enumerate(ResidenceStatus)}
_FARTHEST = 100.0  # km; no need travels farther (NeedDetails.max_travel_km)
_NO_NIDS: Nids = np.empty(0, dtype=np.int64)


def _within(values: npt.NDArray[Any], low: int, high: int) -> npt.NDArray[np.bool_]:
    """low <= values <= high in two passes, for small non-negative values and bounds (ages, ranks).

    Subtracting ``low`` turns everything below it negative, which read as
    unsigned is larger than any ``high - low``.
    """
    unsigned = np.dtype(f"u{values.dtype.itemsize}")
    return np.asarray((values - values.dtype.type(low)).view(unsigned) <= high - low)


def _statuses(statuses: Iterable[ResidenceStatus]) -> int:
    mask = 0
    for s in statuses:
        mask |= _STATUS_BIT[s]
    return mask


def _times(times: Iterable[TimeOfDay]) -> int:
    mask = 0
    for t in times:
        mask |= _TIME_BIT[t]
    return mask


class _Shard:
    """The open needs wanting one category and living in one municipality.

    Removed rows are marked dead and compacted once a quarter of them is.
    """

    def __init__(self) -> None:
        self.size = 0
        self.dead = 0
        self.newest = -1  # the largest nid ever appended: newer needs cannot be here yet
        self.columns = {name: np.zeros(256, dtype) for name, dtype in _COLUMNS.items()}

    def column(self, name: str) -> npt.NDArray[Any]:
        return self.columns[name][: self.size]

    def append(self, rows: list[tuple[int | float | bool, ...]]) -> None:
        needed = self.size + len(rows)
        if needed > len(self.columns["nid"]):
            capacity = max(needed, len(self.columns["nid"]) * 5 // 4 + 256)
            for name, old in self.columns.items():
                grown = np.zeros(capacity, old.dtype)
                grown[: self.size] = old[: self.size]
                self.columns[name] = grown
        for name, values in zip(_COLUMNS, zip(*rows, strict=True), strict=True):
            self.columns[name][self.size : needed] = values
        self.size = needed
        self.newest = max(self.newest, *(int(row[0]) for row in rows))

    def remove(self, nids: Nids) -> None:
        if self.size == 0 or int(nids.min()) > self.newest:
            return
        hit = np.isin(self.column("nid"), nids) & self.column("live")
        removed = int(np.count_nonzero(hit))
        if not removed:
            return
        self.column("live")[hit] = False
        self.dead += removed
        if self.dead * 4 > self.size:
            self._compact()

    def _compact(self) -> None:
        keep = self.column("live").copy()
        kept = int(np.count_nonzero(keep))
        for values in self.columns.values():
            values[:kept] = values[: self.size][keep]
        self.size, self.dead = kept, 0

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.columns.values())


class NeedIndex:
    """Every open need, by the categories it wants; ``seen`` is the newest change applied."""

    def __init__(self, places: Iterable[str] = ()) -> None:
        """``places``: the region's municipalities; others get a code when a need names them."""
        self._region = list(places)
        self.forget()

    def forget(self) -> None:
        """Drop every need, e.g. when the store behind the index was emptied."""
        self.seen = 0
        self._homes: dict[str, int] = {}
        self._places: list[str] = []
        for ags in self._region:
            self._home(ags)
        self._shards: dict[Category, dict[int, _Shard]] = {c: {} for c in Category}

    def _home(self, ags: str) -> int:
        code = self._homes.get(ags)
        if code is None:
            code = self._homes[ags] = len(self._places)
            self._places.append(ags)
        return code

    def __len__(self) -> int:
        """How many (need, category) entries are live."""
        return sum(s.size - s.dead for s in self._all_shards())

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self._all_shards())

    def _all_shards(self) -> list[_Shard]:
        return [shard for by_home in self._shards.values() for shard in by_home.values()]

    def apply(self, changes: Iterable[tuple[int, NeedDetails | None]], seen: int) -> None:
        """Take the needs' new states: details when open, None when closed or erased."""
        changed = list(changes)
        if not changed:
            self.seen = max(self.seen, seen)
            return
        nids = np.fromiter((nid for nid, _ in changed), dtype=np.int64, count=len(changed))
        for shard in self._all_shards():
            shard.remove(nids)
        latest = dict(changed)  # a need changed twice in one batch counts once, as it is now
        added: dict[tuple[Category, int], list[tuple[int | float | bool, ...]]] = {}
        for nid, details in latest.items():
            if details is None:
                continue
            row, home = self._row(nid, details), self._home(details.municipality)
            for category in set(details.categories):
                added.setdefault((category, home), []).append(row)
        for (category, home), rows in added.items():
            self._shards[category].setdefault(home, _Shard()).append(rows)
        self.seen = max(self.seen, seen)

    def _row(self, nid: int, d: NeedDetails) -> tuple[int | float | bool, ...]:
        return (
            nid,
            True,
            d.age,
            d.german_level.rank,
            (_CHILDCARE if d.childcare_needed else 0)
            | (_BARRIER_FREE if d.barrier_free_needed else 0)
            | (_NOT_LATIN if d.literacy is not Literacy.LATIN else 0),
            _statuses([d.residence_status]) if d.residence_status else _NO_STATUS,
            _times(d.times_of_day) or _ANY_TIME,
            d.max_travel_km,
            d.earliest_start.toordinal() if d.earliest_start else 0,
        )

    def fitting(self, offer: Offer, ctx: Context) -> Nids:
        """The nids of the open needs ``offer`` fits, in no particular order."""
        details = offer.details
        if (
            offer.status is not OfferStatus.PUBLISHED
            or offer_full(offer) is not None
            or offer_over(offer, ctx) is not None
        ):
            return _NO_NIDS
        always, distance = self._reach(offer, ctx)
        conditions = self._conditions(offer)
        found = []
        for home, shard in self._shards[details.category].items():
            if shard.size == shard.dead:
                continue
            if always[home]:
                ok = shard.column("live").copy()
            elif distance[home] > _FARTHEST:
                continue
            else:
                ok = shard.column("travel") >= distance[home]
                ok &= shard.column("live")
            for condition in conditions:
                ok &= condition(shard)
            found.append(shard.column("nid").compress(ok))
        return np.concatenate(found) if found else _NO_NIDS

    @staticmethod
    def _conditions(offer: Offer) -> list[Callable[[_Shard], npt.NDArray[np.bool_]]]:
        """The offer's other conditions on needs, each a vectorised test of one shard."""
        d = offer.details
        low, high = d.german_level_min.rank, d.german_level_max.rank
        tests: list[Callable[[_Shard], npt.NDArray[np.bool_]]] = [
            lambda s: _within(s.column("age"), d.age_min, d.age_max),
            lambda s: _within(s.column("level"), low, high),
        ]
        unmet = (
            (0 if d.childcare else _CHILDCARE)
            | (0 if d.barrier_free else _BARRIER_FREE)
            | (_NOT_LATIN if d.requires_latin_literacy else 0)
        )
        if unmet:
            tests.append(lambda s: (s.column("requires") & unmet) == 0)
        if d.residence_statuses:
            admitted = _NO_STATUS | _statuses(d.residence_statuses)
            tests.append(lambda s: (s.column("residence") & admitted) != 0)
        offered = _times(d.times_of_day)
        if offered:
            tests.append(lambda s: (s.column("times") & offered) != 0)
        if d.start_date is not None and not d.rolling_start:
            starts = d.start_date.toordinal()
            tests.append(lambda s: s.column("earliest") <= starts)
        return tests

    def _reach(
        self, offer: Offer, ctx: Context
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
        """Per home code: always reachable (same place, service area, online), and the distance."""
        details = offer.details
        online = details.delivery_mode is DeliveryMode.ONLINE
        always = np.array(
            [
                online or ags == details.location.municipality or ags in details.service_area
                for ags in self._places
            ],
            dtype=np.bool_,
        )
        distance = np.array(
            [_or_infinite(distance_from(ags, offer, ctx.region)) for ags in self._places],
            dtype=np.float64,
        )
        return always, distance


def _or_infinite(km: float | None) -> float:
    return math.inf if km is None else km
