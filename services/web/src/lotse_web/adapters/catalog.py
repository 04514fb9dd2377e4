"""The catalog's API as the web app uses it: needs, offers, the directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from lotse_web.adapters.api import ApiClient

__all__ = ["CatalogClient"]

Json = dict[str, Any]


def _version(etag: str | None) -> int:
    return int((etag or '"0"').strip('W/"'))


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


class CatalogClient(ApiClient):
    def __init__(
        self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__("catalog", base_url, timeout=timeout, transport=transport)

    async def needs(
        self, token: str, status: str | None = None, *, limit: int, offset: int = 0
    ) -> tuple[list[Json], int]:
        """One page of the caller's needs, newest change first, and how many there are."""
        params: dict[str, Any] = {"newest_first": "true", "limit": limit, "offset": offset}
        if status:
            params["status"] = status
        body = await self.get_json("/v1/needs", token, params=params)
        return list(body["items"]), int(body["total"])

    async def need(self, token: str, need_id: str) -> Json:
        return dict(await self.get_json(f"/v1/needs/{need_id}", token))

    async def register_need(self, token: str, body: Json) -> Json:
        return dict((await self.call("POST", "/v1/needs", token, json=body)).json())

    async def replace_need(self, token: str, need_id: str, body: Json, version: int) -> Json:
        response = await self.call(
            "PUT", f"/v1/needs/{need_id}", token, json=body, headers=_if_match(version)
        )
        return dict(response.json())

    async def close_need(self, token: str, need_id: str, version: int) -> Json:
        response = await self.call(
            "POST", f"/v1/needs/{need_id}/close", token, headers=_if_match(version)
        )
        return dict(response.json())

    async def erase_need(self, token: str, need_id: str) -> None:
        await self.call("DELETE", f"/v1/needs/{need_id}", token)

    async def offers(self, token: str, params: dict[str, Any]) -> Json:
        return dict(await self.get_json("/v1/offers", token, params=params))

    async def offer(self, token: str, offer_id: str) -> Json:
        return dict(await self.get_json(f"/v1/offers/{offer_id}", token))

    async def offers_by_id(self, token: str, ids: Sequence[str]) -> dict[str, Json]:
        """The offers with these ids, in one call; absent ones are left out."""
        if not ids:
            return {}
        body = await self.get_json(
            "/v1/offers", token, params=[("id", i) for i in ids] + [("limit", str(len(ids)))]
        )
        return {o["id"]: o for o in body["items"]}

    async def providers(self, token: str) -> list[Json]:
        return list(await self.get_json("/v1/providers", token))

    async def advisors(self, token: str) -> list[Json]:
        return list(await self.get_json("/v1/advisors", token))

    async def advisor(self, token: str, advisor_id: str) -> tuple[Json, int]:
        response = await self.call("GET", f"/v1/advisors/{advisor_id}", token)
        return dict(response.json()), _version(response.headers.get("ETag"))

    async def change_preferences(
        self, token: str, advisor_id: str, body: Json, version: int
    ) -> Json:
        response = await self.call(
            "PATCH",
            f"/v1/advisors/{advisor_id}/preferences",
            token,
            json=body,
            headers=_if_match(version),
        )
        return dict(response.json())

    # The providers' desk: an offer's changes, its check before saving, bulk import.

    async def validate_offer(self, token: str, body: Json) -> Json:
        """The offer as it would be stored (``details``, ``provider_id``); stores nothing."""
        return dict((await self.call("POST", "/v1/offers/validate", token, json=body)).json())

    async def change_offer(self, token: str, offer_id: str, patch: Json, version: int) -> Json:
        """A merge patch, e.g. ``{"places_available": 3}``, against ``version``."""
        response = await self.call(
            "PATCH", f"/v1/offers/{offer_id}", token, json=patch, headers=_if_match(version)
        )
        return dict(response.json())

    async def withdraw_offer(self, token: str, offer_id: str, version: int) -> Json:
        response = await self.call(
            "DELETE", f"/v1/offers/{offer_id}", token, headers=_if_match(version)
        )
        return dict(response.json())

    async def import_offers(self, token: str, content: bytes, media_type: str, mode: str) -> Json:
        """The import's report ``{created, failed}``; an all-or-nothing import that failed
        stored nothing and answers the rows' errors as a 422 problem with ``rows``."""
        response = await self.call(
            "POST",
            "/v1/offers/import",
            token,
            params={"mode": mode},
            content=content,
            headers={"Content-Type": media_type},
        )
        return dict(response.json())

    async def import_template(self, token: str) -> httpx.Response:
        """The CSV to fill in: header row and one example row."""
        return await self.call("GET", "/v1/offers/import/template.csv", token)

    # The directory, as KI coordinators keep it.

    async def provider(self, token: str, provider_id: str) -> Json:
        return dict(await self.get_json(f"/v1/providers/{provider_id}", token))

    async def register_provider(self, token: str, body: Json) -> Json:
        return dict((await self.call("POST", "/v1/providers", token, json=body)).json())

    async def change_provider(self, token: str, provider_id: str, patch: Json) -> Json:
        response = await self.call(
            "PATCH", f"/v1/providers/{provider_id}", token, json=patch, headers=_MERGE_PATCH
        )
        return dict(response.json())

    async def deactivate_provider(self, token: str, provider_id: str) -> Json:
        return dict((await self.call("DELETE", f"/v1/providers/{provider_id}", token)).json())

    async def register_advisor(self, token: str, body: Json) -> Json:
        return dict((await self.call("POST", "/v1/advisors", token, json=body)).json())

    async def change_advisor(self, token: str, advisor_id: str, patch: Json) -> Json:
        response = await self.call(
            "PATCH", f"/v1/advisors/{advisor_id}", token, json=patch, headers=_MERGE_PATCH
        )
        return dict(response.json())

    async def deactivate_advisor(self, token: str, advisor_id: str) -> Json:
        return dict((await self.call("DELETE", f"/v1/advisors/{advisor_id}", token)).json())

    async def published_offer_count(self, token: str, provider_id: str) -> int:
        """How many offers of the provider are published now: what deactivating withdraws."""
        params: dict[str, Any] = {"provider_id": provider_id, "status": "published",
                                  "limit": 200, "total": "true"}  # fmt: skip
        counted = 0
        while True:
            body = await self.get_json("/v1/offers", token, params=params)
            if body.get("total") is not None:
                return int(body["total"])
            counted += len(body["items"])
            if not body.get("next_cursor"):
                return counted
            params["cursor"] = body["next_cursor"]


_MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
