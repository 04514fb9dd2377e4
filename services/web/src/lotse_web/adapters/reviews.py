"""The catalog's review of offers and advisors' problem reports, as the web app uses them.

The calls go to the catalog over the catalog client's connections; a 409 (the
review's state does not allow it, e.g. the revision was superseded) is a
:class:`~lotse_web.adapters.api.StateConflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lotse_web.adapters.catalog import CatalogClient

__all__ = ["ReviewClient", "ReviewPage", "Saved"]

Json = dict[str, Any]


@dataclass(frozen=True)
class Saved:
    """What saving an offer did: published at once, or kept as a draft for review."""

    offer_id: str
    under_review: bool
    body: Json  # the offer (published) or its review (under review)


@dataclass(frozen=True)
class ReviewPage:
    items: list[Json]
    total: int
    offers_reviewed: bool | None  # one provider's: whether their offers wait for review now


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


class ReviewClient:
    def __init__(self, catalog: CatalogClient) -> None:
        self.catalog = catalog

    async def _json(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        return (await self.catalog.call(method, path, token, **kwargs)).json()

    # Saving an offer: 201/200 is published, 202 waits as a draft.

    async def save_new(self, token: str, body: Json) -> Saved:
        response = await self.catalog.call("POST", "/v1/offers", token, json=body)
        answer = dict(response.json())
        reviewed = response.status_code == 202
        return Saved(answer["offer_id" if reviewed else "id"], reviewed, answer)

    async def save_change(self, token: str, offer_id: str, body: Json, version: int) -> Saved:
        response = await self.catalog.call(
            "PUT", f"/v1/offers/{offer_id}", token, json=body, headers=_if_match(version)
        )
        return Saved(offer_id, response.status_code == 202, dict(response.json()))

    # An offer's review.

    async def review(self, token: str, offer_id: str) -> Json:
        return dict(await self._json("GET", f"/v1/offers/{offer_id}/review", token))

    async def submit(self, token: str, offer_id: str, version: int) -> Json:
        """The draft becomes the revision waiting; ``version`` is the review's."""
        return dict(
            await self._json(
                "POST", f"/v1/offers/{offer_id}/submit", token, headers=_if_match(version)
            )
        )

    async def decide(
        self, token: str, offer_id: str, revision: int, decision: str, comment: str | None
    ) -> Json:
        body = {"revision": revision, "decision": decision, "comment": comment or None}
        return dict(await self._json("POST", f"/v1/offers/{offer_id}/decisions", token, json=body))

    async def revisions(self, token: str, offer_id: str) -> list[Json]:
        body = await self._json("GET", f"/v1/offers/{offer_id}/revisions", token)
        return list(body["items"])

    async def reviews(
        self, token: str, state: str | None = None, *, limit: int = 200, offset: int = 0
    ) -> ReviewPage:
        """Admins: the queue (or reviews in ``state``); providers: their own, newest first."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if state:
            params["state"] = state
        body = await self._json("GET", "/v1/reviews", token, params=params)
        return ReviewPage(list(body["items"]), int(body["total"]), body.get("offers_reviewed"))

    # Problem reports.

    async def report(self, token: str, offer_id: str, reason: str, note: str) -> Json:
        body = {"reason": reason, "note": note or None}
        return dict(await self._json("POST", f"/v1/offers/{offer_id}/reports", token, json=body))

    async def reports(
        self, token: str, status: str | None = None, *, limit: int = 200, offset: int = 0
    ) -> tuple[list[Json], int]:
        """Admins: all reports (``open`` is the queue); advisors: their own, oldest first."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        body = await self._json("GET", "/v1/reports", token, params=params)
        return list(body["items"]), int(body["total"])

    async def one_report(self, token: str, report_id: str) -> Json:
        return dict(await self._json("GET", f"/v1/reports/{report_id}", token))

    async def decide_report(self, token: str, report_id: str, outcome: str, comment: str) -> Json:
        body = {"outcome": outcome, "comment": comment}
        return dict(await self._json("POST", f"/v1/reports/{report_id}/decision", token, json=body))
