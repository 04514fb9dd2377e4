"""How the vectorised conditions write needs and offers as numbers: one encoding, both ways.

The need index (an offer looking for needs) and the offer table (a need
looking for offers) compare the same fields; each set of enum values is a
bit mask, so a set overlapping another is one bitwise and. The scalar
conditions in :mod:`~lotse_matching.domain.conditions` remain what both are
held to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import reduce
from operator import or_
from typing import TypeVar

import numpy as np

from lotse_shared.contracts import NeedDetails, OfferDetails, ResidenceStatus, TimeOfDay

__all__ = [
    "ANY_TIME",
    "NO_START",
    "NO_STATUS",
    "earliest_day",
    "residence",
    "start_day",
    "statuses",
    "times",
]

_T = TypeVar("_T")
_STATUS_BIT = {s: 1 << i for i, s in enumerate(ResidenceStatus)}
NO_STATUS = 1 << len(ResidenceStatus)
"""A need that gives no residence status: every offer admits it, whatever statuses it names."""
_TIME_BIT = {t: 1 << i for i, t in enumerate(TimeOfDay)}
ANY_TIME = sum(_TIME_BIT.values())
"""A need available at any time of day: it overlaps every offer's times."""
NO_START = int(np.iinfo(np.int32).max)
"""An offer without a start date, or with a rolling start: it starts too early for nobody."""


def _mask(values: Iterable[_T], bits: Mapping[_T, int]) -> int:
    return reduce(or_, (bits[v] for v in values), 0)


def statuses(values: Iterable[ResidenceStatus]) -> int:
    """The residence statuses an offer admits; 0 when it names none (it admits any)."""
    return _mask(values, _STATUS_BIT)


def residence(details: NeedDetails) -> int:
    """A need's residence status as one bit, :data:`NO_STATUS` when not given."""
    status = details.residence_status
    return NO_STATUS if status is None else _STATUS_BIT[status]


def times(values: Iterable[TimeOfDay]) -> int:
    """Times of day as a mask; 0 for none (which means any, on either side)."""
    return _mask(values, _TIME_BIT)


def start_day(details: OfferDetails) -> int:
    """The day an offer starts (``date.toordinal``), :data:`NO_START` when it never starts too early."""
    if details.start_date is None or details.rolling_start:
        return NO_START
    return details.start_date.toordinal()


def earliest_day(details: NeedDetails) -> int:
    """The first day a need can start (``date.toordinal``), 0 when any day will do."""
    return details.earliest_start.toordinal() if details.earliest_start else 0
