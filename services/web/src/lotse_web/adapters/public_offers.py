"""The published offers and the eligibility rules in force, as the public finder reads them.

Both come from unsigned public endpoints (the catalog's ``/v1/public/offers``,
matching's ``/v1/public/eligibility-rules``): the finder holds no one's token.
The whole published set is kept for a short while, so a search is a scan in
memory rather than a round of API calls; one refresh runs at a time, and while
it runs (or when the catalog does not answer for a while) the set already held
is served.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from lotse_web.adapters.api import ServiceUnavailable
from lotse_web.adapters.catalog import CatalogClient
from lotse_web.adapters.matching import MatchingClient

__all__ = ["PublishedOffers", "PublishedSet"]

Json = dict[str, Any]
PAGE = 1000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedSet:
    offers: tuple[Json, ...]
    by_id: dict[str, Json]
    rules: tuple[Json, ...]
    fetched_at: float
    spoken: tuple[str, ...] = ()
    """Every language some offer is taught or supported in."""


def _soonest_first(offer: Json) -> tuple[str, str]:
    """Rolling starts first, then by start date (none last), then by German title."""
    start = "" if offer.get("rolling_start") else (offer.get("start_date") or "9")
    return start, str(offer["title"].get("de", "")).casefold()


class PublishedOffers:
    def __init__(
        self,
        catalog: CatalogClient,
        matching: MatchingClient,
        *,
        fresh_for: float,
        stale_for: float = 600.0,
    ) -> None:
        self.catalog = catalog
        self.matching = matching
        self.fresh_for = fresh_for
        self.stale_for = stale_for
        self._held: PublishedSet | None = None
        self._refreshing: asyncio.Task[PublishedSet] | None = None

    async def current(self) -> PublishedSet:
        """The published set, at most ``fresh_for`` seconds old unless a refresh is under way.

        With ``fresh_for`` 0 every call reads the catalog (tests that publish and look).
        """
        held = self._held
        age = time.monotonic() - held.fetched_at if held else None
        if held is not None and age is not None and age < self.fresh_for:
            return held
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._fetch(), name="published-offers")
        if held is not None and age is not None and self.fresh_for > 0 and age < self.stale_for:
            self._refreshing.add_done_callback(_log_failure)
            return held  # the refresh finishes in the background
        return await asyncio.shield(self._refreshing)

    def forget(self) -> None:
        """Read anew on the next call (tests that change offers)."""
        self._held = None

    async def _fetch(self) -> PublishedSet:
        offers: list[Json] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
            page = await self.catalog.get_json("/v1/public/offers", None, params=params)
            offers += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        rules = await self.matching.get_json("/v1/public/eligibility-rules", None)
        # Sorted once here, so a search only filters.
        offers.sort(key=_soonest_first)
        spoken = {
            c for o in offers for c in (*o["languages_of_instruction"], *o["support_languages"])
        }
        held = PublishedSet(
            tuple(offers), {o["id"]: o for o in offers}, tuple(rules), time.monotonic(),
            tuple(sorted(spoken)),
        )  # fmt: skip
        self._held = held
        return held


def _log_failure(task: asyncio.Task[PublishedSet]) -> None:
    if not task.cancelled() and isinstance(task.exception(), ServiceUnavailable):
        log.warning("refreshing the published offers failed; serving the ones held")
