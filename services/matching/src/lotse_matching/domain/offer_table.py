"""Offers held column by column, so that a need finds the offers it fits without a pair-by-pair scan.

The other direction of the need index: ranking a run of needs checks each
need against every published offer of the kinds it wants, and one pair at a
time that was most of what matching spent. Here the offers that can fit
anybody today (published, not full, not over) are kept per category as numpy
columns; a need is a handful of vectorised comparisons over the columns of
the kinds it wants. Reachability is worked out once per municipality of
residence and category, with the same distance function as the condition.
The answer is exactly the set of offers for which
:func:`~lotse_matching.domain.conditions.first_failure` finds nothing; a
property test holds the two together.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from lotse_matching.domain import encoding
from lotse_matching.domain.conditions import offer_full, offer_over
from lotse_matching.domain.geography import km_or_infinite
from lotse_matching.domain.model import Context, Need, Offer
from lotse_shared.contracts import (
    Category,
    DeliveryMode,
    Literacy,
    NeedStatus,
    OfferStatus,
)

__all__ = ["OfferTable"]


class _Kind:
    """The usable offers of one category, a column per field a condition reads."""

    def __init__(self, offers: list[Offer], ctx: Context) -> None:
        self.offers = offers
        self.ctx = ctx
        d = [o.details for o in offers]
        self.age_min = np.array([x.age_min for x in d], dtype=np.int16)
        self.age_max = np.array([x.age_max for x in d], dtype=np.int16)
        self.level_min = np.array([x.german_level_min.rank for x in d], dtype=np.int8)
        self.level_max = np.array([x.german_level_max.rank for x in d], dtype=np.int8)
        self.latin = np.array([x.requires_latin_literacy for x in d], dtype=np.bool_)
        self.statuses = np.array([encoding.statuses(x.residence_statuses) for x in d], np.int32)
        self.times = np.array([encoding.times(x.times_of_day) for x in d], dtype=np.int32)
        self.childcare = np.array([x.childcare for x in d], dtype=np.bool_)
        self.barrier_free = np.array([x.barrier_free for x in d], dtype=np.bool_)
        self.start = np.array([encoding.start_day(x) for x in d], dtype=np.int32)
        self._reach: dict[str, tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]] = {}

    def reach(self, home: str) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
        """From municipality ``home``: always reachable (same place, service area, online), and the distance."""
        found = self._reach.get(home)
        if found is None:
            always = np.array(
                [
                    o.details.delivery_mode is DeliveryMode.ONLINE
                    or home == o.details.location.municipality
                    or home in o.details.service_area
                    for o in self.offers
                ],
                dtype=np.bool_,
            )
            distance = np.array(
                [km_or_infinite(home, o, self.ctx.region) for o in self.offers],
                dtype=np.float64,
            )
            found = self._reach[home] = (always, distance)
        return found

    def fitting(self, need: Need) -> list[Offer]:
        n = need.details
        always, distance = self.reach(n.municipality)
        ok = always | (distance <= n.max_travel_km)
        ok &= (self.age_min <= n.age) & (self.age_max >= n.age)
        level = n.german_level.rank
        ok &= (self.level_min <= level) & (self.level_max >= level)
        if n.literacy is not Literacy.LATIN:
            ok &= ~self.latin
        if n.residence_status is not None:
            ok &= (self.statuses == 0) | ((self.statuses & encoding.residence(n)) != 0)
        wanted = encoding.times(n.times_of_day)
        if wanted:
            ok &= (self.times == 0) | ((self.times & wanted) != 0)
        if n.childcare_needed:
            ok &= self.childcare
        if n.barrier_free_needed:
            ok &= self.barrier_free
        earliest = encoding.earliest_day(n)
        if earliest:
            ok &= self.start >= earliest
        return [self.offers[i] for i in np.flatnonzero(ok)]


class OfferTable:
    """The offers, by category, that some need could be proposed today."""

    def __init__(self, offers: Iterable[Offer], ctx: Context) -> None:
        usable: dict[Category, list[Offer]] = {}
        for offer in offers:
            if (
                offer.status is OfferStatus.PUBLISHED
                and offer_full(offer) is None
                and offer_over(offer, ctx) is None
            ):
                usable.setdefault(offer.details.category, []).append(offer)
        self._kinds = {kind: _Kind(some, ctx) for kind, some in usable.items()}

    def fitting(self, need: Need) -> list[Offer]:
        """The offers ``need`` fits, by every hard condition; none for a need that is not open."""
        if need.status is not NeedStatus.OPEN:
            return []
        found: list[Offer] = []
        for kind in sorted(set(need.details.categories)):
            table = self._kinds.get(kind)
            if table is not None:
                found += table.fitting(need)
        return found
