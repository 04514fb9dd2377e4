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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lotse_matching.domain import encoding
from lotse_matching.domain.conditions import offer_full, offer_over
from lotse_matching.domain.geography import km_or_infinite
from lotse_matching.domain.model import Context, Offer
from lotse_shared.contracts import (
    Category,
    DeliveryMode,
    GermanLevel,
    Literacy,
    NeedDetails,
    OfferStatus,
)

__all__ = ["NeedIndex"]

Nids = npt.NDArray[np.int32]

_COLUMNS: dict[str, type[np.generic]] = {
    "nid": np.int32,  # the store numbers its needs from 1; far below 2**31
    "flags": np.uint8,  # _LIVE, what the need requires, and its times of day (_TIME_SHIFT)
    "age": np.uint8,
    "level": np.uint8,  # GermanLevel.rank
    "residence": np.uint16,  # encoding.residence: one bit
    "travel": np.float64,  # kept exact: it is compared with a float64 distance
    "earliest": np.int32,  # encoding.earliest_day
}
# Every bit of a need but its age, level and status in one byte, so the commonest tests read
# one column: four flags, then the need's times of day (encoding.times) shifted past them. A row
# in a segment's spare room, or a removed one, has _LIVE clear.
_LIVE, _CHILDCARE, _BARRIER_FREE, _NOT_LATIN = 1, 2, 4, 8
_TIME_SHIFT = 4
assert encoding.ANY_TIME << _TIME_SHIFT <= 0xFF, "the times of day share one byte with four flags"
assert encoding.NO_STATUS < 1 << 16, "a need's residence status is one bit of 16"
_NO_NIDS: Nids = np.empty(0, dtype=np.int32)
_LARGEST_NID = np.iinfo(np.int32).max
_OLDEST = 120  # NeedDetails.age's bound
_TOP_LEVEL = GermanLevel.C2.rank


@dataclass
class _Segment:
    """Where one municipality's needs sit in a table: rows start .. start + size, room up to cap.

    ``farthest`` is at least the largest travel limit of its needs: when the
    offer lies farther away, none of them is read.
    """

    start: int
    size: int
    cap: int
    farthest: float = 0.0


class _Table:
    """The open needs wanting one category, in one segment per municipality of residence.

    Each column is one array, so every condition is one vectorised pass; the
    segments let reachability be decided per municipality on slices. A
    segment that runs out of room, or a quarter of dead rows, lays the table
    out afresh with room to grow. The scratch arrays are as long as the
    columns: a find allocates nothing of the table's size, which keeps it
    quick when the columns have left the cache.
    """

    def __init__(self) -> None:
        self.segments: dict[int, _Segment] = {}
        self.dead = 0
        self.newest = -1  # the largest nid ever appended: newer needs cannot be here yet
        self.columns = {name: np.zeros(0, dtype) for name, dtype in _COLUMNS.items()}
        self._scratch(0)

    def _scratch(self, length: int) -> None:
        self.ok = np.zeros(length, np.bool_)
        self.test = np.zeros(length, np.bool_)
        self.small = np.zeros(length, np.uint8)
        self.wide = np.zeros(length, np.uint16)

    @property
    def live(self) -> int:
        return sum(seg.size for seg in self.segments.values()) - self.dead

    @property
    def nbytes(self) -> int:
        scratch = self.ok.nbytes + self.test.nbytes + self.small.nbytes + self.wide.nbytes
        return sum(c.nbytes for c in self.columns.values()) + scratch

    def append(self, home: int, rows: list[tuple[int | float, ...]]) -> None:
        seg = self.segments.get(home)
        if seg is None or seg.size + len(rows) > seg.cap:
            self._lay_out({home: len(rows)})
            seg = self.segments[home]
        end = seg.start + seg.size + len(rows)
        for name, values in zip(_COLUMNS, zip(*rows, strict=True), strict=True):
            self.columns[name][seg.start + seg.size : end] = values
        seg.size += len(rows)
        seg.farthest = max(seg.farthest, *(float(row[5]) for row in rows))
        self.newest = max(self.newest, *(int(row[0]) for row in rows))

    def remove(self, nids: Nids) -> None:
        if not self.segments or int(nids.min()) > self.newest:
            return
        flags = self.columns["flags"]
        hit = np.isin(self.columns["nid"], nids)
        hit &= (flags & _LIVE) != 0
        removed = int(np.count_nonzero(hit))
        if not removed:
            return
        np.bitwise_and(flags, np.uint8(~_LIVE & 0xFF), out=flags, where=hit)
        self.dead += removed
        if self.dead * 4 > self.live + self.dead:
            self._lay_out({})

    def _lay_out(self, adding: dict[int, int]) -> None:
        """Copy the live rows into fresh columns, each segment with room for an eighth more."""
        flags = self.columns["flags"]
        kept: dict[int, npt.NDArray[np.intp]] = {}
        for home, seg in self.segments.items():
            rows = flags[seg.start : seg.start + seg.size] & _LIVE
            kept[home] = seg.start + np.flatnonzero(rows)
        new_segments: dict[int, _Segment] = {}
        position = 0
        for home in sorted(kept.keys() | adding.keys()):
            size = len(kept.get(home, ()))
            cap = (size + adding.get(home, 0)) * 9 // 8 + 16
            old = self.segments.get(home)
            new_segments[home] = _Segment(position, size, cap, old.farthest if old else 0.0)
            position += cap
        columns = {name: np.zeros(position, dtype) for name, dtype in _COLUMNS.items()}
        for home, rows in kept.items():
            seg = new_segments[home]
            for name, values in self.columns.items():
                columns[name][seg.start : seg.start + seg.size] = values[rows]
        self.columns, self.segments, self.dead = columns, new_segments, 0
        self._scratch(position)


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
        self._tables: dict[Category, _Table] = {c: _Table() for c in Category}

    def _home(self, ags: str) -> int:
        code = self._homes.get(ags)
        if code is None:
            code = self._homes[ags] = len(self._places)
            self._places.append(ags)
        return code

    def __len__(self) -> int:
        """How many (need, category) entries are live."""
        return sum(t.live for t in self._tables.values())

    @property
    def nbytes(self) -> int:
        return sum(t.nbytes for t in self._tables.values())

    def apply(self, changes: Iterable[tuple[int, NeedDetails | None]], seen: int) -> None:
        """Take the needs' new states: details when open, None when closed or erased."""
        changed = list(changes)
        if not changed:
            self.seen = max(self.seen, seen)
            return
        nids = np.fromiter((nid for nid, _ in changed), dtype=np.int64, count=len(changed))
        if int(nids.max()) > _LARGEST_NID:
            raise ValueError(f"need number {int(nids.max())} is beyond the index's range")
        for table in self._tables.values():
            table.remove(nids.astype(np.int32))
        latest = dict(changed)  # a need changed twice in one batch counts once, as it is now
        added: dict[tuple[Category, int], list[tuple[int | float, ...]]] = {}
        for nid, details in latest.items():
            if details is None:
                continue
            row, home = self._row(nid, details), self._home(details.municipality)
            for category in set(details.categories):
                added.setdefault((category, home), []).append(row)
        for (category, home), rows in added.items():
            self._tables[category].append(home, rows)
        self.seen = max(self.seen, seen)

    def _row(self, nid: int, d: NeedDetails) -> tuple[int | float, ...]:
        """The need as a row of the columns, in their order."""
        return (
            nid,
            _LIVE
            | (_CHILDCARE if d.childcare_needed else 0)
            | (_BARRIER_FREE if d.barrier_free_needed else 0)
            | (_NOT_LATIN if d.literacy is not Literacy.LATIN else 0)
            | (encoding.times(d.times_of_day) or encoding.ANY_TIME) << _TIME_SHIFT,
            d.age,
            d.german_level.rank,
            encoding.residence(d),
            d.max_travel_km,
            encoding.earliest_day(d),
        )

    def fitting(self, offer: Offer, ctx: Context) -> Nids:
        """The nids of the open needs ``offer`` fits, in no particular order.

        Not re-entrant: a find works in the table's scratch arrays.
        """
        d = offer.details
        if (
            offer.status is not OfferStatus.PUBLISHED
            or offer_full(offer) is not None
            or offer_over(offer, ctx) is not None
        ):
            return _NO_NIDS
        t = self._tables[d.category]
        if not t.live:
            return _NO_NIDS
        c, ok, test, small = t.columns, t.ok, t.test, t.small
        # Live, and nothing required that the offer lacks.
        unmet = (
            (0 if d.childcare else _CHILDCARE)
            | (0 if d.barrier_free else _BARRIER_FREE)
            | (_NOT_LATIN if d.requires_latin_literacy else 0)
        )
        np.bitwise_and(c["flags"], np.uint8(_LIVE | unmet), out=small)
        np.equal(small, np.uint8(_LIVE), out=ok)
        offered = encoding.times(d.times_of_day) << _TIME_SHIFT
        if offered:
            np.bitwise_and(c["flags"], np.uint8(offered), out=small)
            ok &= np.not_equal(small, 0, out=test)
        self._in_range(c["age"], d.age_min, d.age_max, _OLDEST, t)
        self._in_range(c["level"], d.german_level_min.rank, d.german_level_max.rank, _TOP_LEVEL, t)
        if d.residence_statuses:
            allowed = np.uint16(encoding.NO_STATUS | encoding.statuses(d.residence_statuses))
            np.bitwise_and(c["residence"], allowed, out=t.wide)
            ok &= np.not_equal(t.wide, 0, out=test)
        start = encoding.start_day(d)
        if start != encoding.NO_START:
            ok &= np.less_equal(c["earliest"], start, out=test)
        always, distance = self._reach(offer, ctx)
        for home, seg in t.segments.items():
            if always[home]:
                continue
            rows = slice(seg.start, seg.start + seg.size)
            if seg.farthest < distance[home]:
                ok[rows] = False
            else:
                ok[rows] &= np.greater_equal(c["travel"][rows], distance[home], out=test[rows])
        return c["nid"].compress(ok)

    @staticmethod
    def _in_range(values: npt.NDArray[np.uint8], low: int, high: int, top: int, t: _Table) -> None:
        """ok &= low <= values <= high, in the table's scratch, for small non-negative values.

        Subtracting ``low`` wraps everything below it round to large values,
        which are above any ``high - low``.
        """
        if low == 0 and high >= top:
            return
        np.subtract(values, np.uint8(low), out=t.small)
        t.ok &= np.less_equal(t.small, np.uint8(high - low), out=t.test)

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
            [km_or_infinite(ags, offer, ctx.region) for ags in self._places],
            dtype=np.float64,
        )
        return always, distance
