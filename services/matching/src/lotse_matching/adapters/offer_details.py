"""A cache of offers' parsed details, shared by the transactions of one process."""

from __future__ import annotations

from typing import Any

from lotse_matching.domain.model import Offer
from lotse_shared.contracts import OfferDetails

__all__ = ["OfferDetailsCache"]


class OfferDetailsCache:
    """Offers' parsed details by (id, version), for as long as the store behind it lives.

    A version's details never change, and validating them (pydantic, e-mail
    addresses) was most of what ranking a need cost: every published offer of
    its kinds was parsed again for every need. Bounded: when full it starts
    afresh. Like the need index, it must be told when its store is emptied.
    An offer this process stores is remembered as it is, already validated,
    so it is never parsed at all here.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._parsed: dict[tuple[str, int], OfferDetails] = {}

    def details(self, row: Any) -> OfferDetails:
        found = self._parsed.get((row.id, row.version))
        if found is None:
            found = self._keep((row.id, row.version), OfferDetails.model_validate(row.details))
        return found

    def remember(self, offer: Offer) -> None:
        """Keep the details of ``offer``, whose state a validated event carried."""
        self._keep((offer.id, offer.version), offer.details)

    def _keep(self, key: tuple[str, int], details: OfferDetails) -> OfferDetails:
        if len(self._parsed) >= self.limit:
            self._parsed.clear()
        self._parsed[key] = details
        return details

    def forget(self) -> None:
        self._parsed.clear()
