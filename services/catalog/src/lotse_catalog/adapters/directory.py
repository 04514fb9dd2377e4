"""The directory's repositories: providers and advisors, stored alike."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from lotse_catalog.adapters import orm
from lotse_catalog.adapters.provider_cache import ActiveProviders
from lotse_catalog.adapters.repository import Repository, as_json
from lotse_catalog.domain.model import Advisor, Provider
from lotse_shared.contracts import AdvisorDetails, ProviderDetails
from lotse_shared.database import as_utc

__all__ = ["AdvisorRepository", "ProviderRepository"]

Entry = TypeVar("Entry", Provider, Advisor)


class _DirectoryRepository(Repository[Entry]):
    """Providers and advisors are stored alike: a name column and the details document."""

    entity: type[Entry]
    details: type[ProviderDetails] | type[AdvisorDetails]

    @staticmethod
    def _row(entry: Entry) -> dict[str, Any]:
        return {
            "id": entry.id,
            "name": entry.details.name,
            "active": entry.active,
            "version": entry.version,
            "updated_at": entry.updated_at,
            "details": as_json(entry.details),
        }

    def _entity(self, row: Any) -> Entry:  # type: ignore[override]
        stored: dict[str, Any] = {
            "id": row.id,
            "details": self.details.model_validate(row.details),
            "active": row.active,
            "version": row.version,
            "updated_at": as_utc(row.updated_at),
        }
        return self.entity(**stored)


class ProviderRepository(_DirectoryRepository[Provider]):
    """Providers; :meth:`active` answers from ``cache`` when it can, and every provider added
    or saved is in :attr:`changed`, for the unit of work to forget at commit."""

    table = orm.providers
    entity = Provider
    details = ProviderDetails

    def __init__(self, session: AsyncSession, cache: ActiveProviders | None = None) -> None:
        super().__init__(session)
        self.cache = cache or ActiveProviders(ttl=0)
        self.changed: set[str] = set()

    async def active(self, provider_id: str) -> Provider | None:
        """The provider if it is active (as of at most the cache's ``ttl`` ago), else None."""
        provider = self.cache.get(provider_id) or await self.get(provider_id)
        if provider is None or not provider.active:
            return None
        self.cache.keep(provider)
        return provider

    async def add(self, entity: Provider) -> None:
        self._changing(entity.id)
        await super().add(entity)

    async def save(self, entity: Provider) -> None:
        self._changing(entity.id)
        await super().save(entity)

    def _changing(self, provider_id: str) -> None:
        self.changed.add(provider_id)
        self.cache.forget([provider_id])


class AdvisorRepository(_DirectoryRepository[Advisor]):
    table = orm.advisors
    entity = Advisor
    details = AdvisorDetails
