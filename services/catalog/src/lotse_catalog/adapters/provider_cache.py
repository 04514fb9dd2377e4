"""Active providers as last read: publishing an offer checks its provider on every request.

A provider changed in this process is forgotten when the change commits; a
change committed by another instance is seen ``ttl`` seconds later at the
latest (deactivating a provider is rare, publishing is not).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from lotse_catalog.domain.model import Provider

__all__ = ["ActiveProviders"]


class ActiveProviders:
    """Each active provider read, kept for ``ttl`` seconds; a ``ttl`` of 0 keeps none."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._kept: dict[str, tuple[float, Provider]] = {}

    def get(self, provider_id: str) -> Provider | None:
        kept = self._kept.get(provider_id)
        if kept is None:
            return None
        until, provider = kept
        if self._clock() >= until:
            del self._kept[provider_id]
            return None
        return provider

    def keep(self, provider: Provider) -> None:
        if self.ttl > 0 and provider.active:
            self._kept[provider.id] = (self._clock() + self.ttl, provider)

    def forget(self, provider_ids: Iterable[str]) -> None:
        for provider_id in provider_ids:
            self._kept.pop(provider_id, None)
