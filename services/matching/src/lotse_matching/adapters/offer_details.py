"""A cache of offers' parsed details, shared by the transactions of one process."""

from __future__ import annotations

from typing import Any

from lotse_shared.contracts import OfferDetails

__all__ = ["OfferDetailsCache"]


class OfferDetailsCache:
    """Offers' parsed details by (id, version), for as long as the store behind it lives.

    A version's details never change, and validating them (pydantic, e-mail
    addresses) was most of what ranking a need cost: every published offer of
    its kinds was parsed again for every need. Bounded: when full it starts
    afresh. Like the need index, it must be told when its store is emptied.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._parsed: dict[tuple[str, int], OfferDetails] = {}

    def details(self, row: Any) -> OfferDetails:
        key = (row.id, row.version)
        found = self._parsed.get(key)
        if found is None:
            if len(self._parsed) >= self.limit:
                self._parsed.clear()
            found = self._parsed[key] = OfferDetails.model_validate(row.details)
        return found

    def forget(self) -> None:
        self._parsed.clear()
