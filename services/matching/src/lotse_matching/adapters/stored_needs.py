"""Needs' details as matching stored them, built back without validating them again.

Only matching writes its ``needs`` table, and only details it validated in
full where they entered it (a consumed event), dumped as JSON by pydantic.
Parsing them again on every load re-checked what nothing can have broken:
loading a need is turning its JSON back into the typed values, field by
field. Rows written by anyone else must be validated instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from lotse_shared.contracts import (
    Category,
    GermanLevel,
    Literacy,
    NeedDetails,
    ResidenceStatus,
    TimeOfDay,
)

__all__ = ["stored_need_details"]


def _same(value: Any) -> Any:
    return value


_FROM_JSON: dict[str, Callable[[Any], Any]] = {
    "municipality": _same,
    "age": _same,
    "languages": list,
    "german_level": GermanLevel,
    "literacy": Literacy,
    "residence_status": lambda v: None if v is None else ResidenceStatus(v),
    "categories": lambda vs: [Category(v) for v in vs],
    "times_of_day": lambda vs: [TimeOfDay(v) for v in vs],
    "childcare_needed": _same,
    "barrier_free_needed": _same,
    "max_travel_km": float,  # JSON writes 15.0 as 15
    "earliest_start": lambda v: None if v is None else date.fromisoformat(v),
}
if _FROM_JSON.keys() != NeedDetails.model_fields.keys():  # a field added to the contract
    raise RuntimeError("stored_needs does not know every field of NeedDetails")


def stored_need_details(stored: Mapping[str, Any]) -> NeedDetails:
    """The details ``NeedDetails.model_dump(mode="json")`` wrote; a field not there takes its default."""
    return NeedDetails.model_construct(
        **{name: typed(stored[name]) for name, typed in _FROM_JSON.items() if name in stored}
    )
