"""Notifications' API as the web app uses it: the delivery log."""

from __future__ import annotations

from typing import Any

import httpx

from lotse_web.adapters.api import ApiClient

__all__ = ["NotificationsClient"]


class NotificationsClient(ApiClient):
    def __init__(
        self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__("notifications", base_url, timeout=timeout, transport=transport)

    async def delivery_log(self, token: str, limit: int = 200) -> list[dict[str, Any]]:
        return list(await self.get_json("/v1/notifications", token, params={"limit": limit}))

    async def delivery_problems(self, token: str, days: int = 30) -> dict[str, Any]:
        """Emails that failed for good, and advisors whose emails keep failing (admins only)."""
        return dict(await self.get_json("/v1/delivery-problems", token, params={"days": days}))
