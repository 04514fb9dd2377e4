"""A per-client request budget for the public endpoints, which anyone may call unsigned.

A token bucket per client address, in this process: each instance grants its own
budget, which bounds what one client can cost any instance. Behind a proxy that
does not pass the client's address on, all clients share one budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Request

__all__ = ["RateLimited", "RequestBudget"]

_MAX_CLIENTS = 10_000


class RateLimited(Exception):
    """The client used up its budget; ``retry_after`` seconds until the next request fits."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass
class RequestBudget:
    per_minute: int
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def spend(self, client: str, now: float | None = None) -> None:
        """Take one request from ``client``'s bucket, or raise ``RateLimited``."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60
        tokens, since = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) * rate)
        if tokens < 1:
            raise RateLimited(max(1, int((1 - tokens) / rate + 0.999)))
        if len(self._buckets) >= _MAX_CLIENTS and client not in self._buckets:
            self._forget_full_buckets(now, rate)
        self._buckets[client] = (tokens - 1, now)

    def _forget_full_buckets(self, now: float, rate: float) -> None:
        # A bucket that has filled up again is the same as none at all.
        full = [c for c, (t, s) in self._buckets.items() if t + (now - s) * rate >= self.burst]
        for client in full:
            del self._buckets[client]

    async def __call__(self, request: Request) -> None:
        """A route dependency: spend one request of the caller's address."""
        self.spend(request.client.host if request.client else "unknown")
