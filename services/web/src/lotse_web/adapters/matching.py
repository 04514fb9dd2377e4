"""Matching's API as the web app uses it: a need's matches, decisions, counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from lotse_web.adapters.api import ApiClient

__all__ = ["MatchingClient"]

Json = dict[str, Any]


class MatchingClient(ApiClient):
    def __init__(
        self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__("matching", base_url, timeout=timeout, transport=transport)

    async def matches_of_need(self, token: str, need_id: str) -> list[Json]:
        """Active and ended matches of one need, best first within each."""
        return list(
            await self.get_json(
                f"/v1/needs/{need_id}/matches", token, params={"include_ended": "true"}
            )
        )

    async def match(self, token: str, match_id: str) -> Json:
        return dict(await self.get_json(f"/v1/matches/{match_id}", token))

    async def decide(
        self, token: str, match_id: str, decision: str, reason: str | None = None
    ) -> Json:
        body = {"decision": decision, "decline_reason": reason}
        response = await self.call("POST", f"/v1/matches/{match_id}/decision", token, json=body)
        return dict(response.json())

    async def match_counts(
        self, token: str, need_ids: list[str], since: datetime | None
    ) -> dict[str, Json]:
        """Per need: active matches, and how many were found since ``since``."""
        if not need_ids:
            return {}
        params = [("need_id", n) for n in need_ids]
        if since:
            params.append(("since", since.isoformat()))
        rows = await self.get_json("/v1/match-counts", token, params=params)
        return {r["need_id"]: r for r in rows}

    async def offer_match_counts(self, token: str, offer_ids: list[str]) -> dict[str, Json]:
        """Per offer of the caller's: active, accepted and declined matches (counts only)."""
        rows: dict[str, Json] = {}
        for start in range(0, len(offer_ids), 200):  # the API takes at most 200 ids a call
            params = [("offer_id", o) for o in offer_ids[start : start + 200]]
            found = await self.get_json("/v1/offer-match-counts", token, params=params)
            rows.update({r["offer_id"]: r for r in found})
        return rows

    # The coverage figures, for KI coordinators; matching suppresses counts of 1 to 4.

    async def coverage(self, token: str, category: str | None = None) -> list[Json]:
        """Per municipality and kind: open needs, needs without match, offers, free places."""
        params = {"category": category} if category else {}
        return list(await self.get_json("/v1/stats/coverage", token, params=params))

    async def coverage_csv(self, token: str, category: str | None = None) -> bytes:
        params = {"format": "csv"} | ({"category": category} if category else {})
        return (await self.call("GET", "/v1/stats/coverage", token, params=params)).content

    async def coverage_history(
        self,
        token: str,
        *,
        by: str,
        weeks: int = 12,
        category: str | None = None,
        municipality: str | None = None,
    ) -> Json:
        """The last ``weeks`` ISO weeks' figures, one series per municipality or kind."""
        params: dict[str, Any] = {"by": by, "weeks": weeks}
        if category:
            params["category"] = category
        if municipality:
            params["municipality"] = municipality
        return dict(await self.get_json("/v1/stats/coverage/history", token, params=params))
