"""The catalog's unit of work: its repositories over one transaction with the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lotse_catalog.adapters.directory import AdvisorRepository, ProviderRepository
from lotse_catalog.adapters.provider_cache import ActiveProviders
from lotse_catalog.adapters.reports import ReportRepository
from lotse_catalog.adapters.repository import NeedRepository, OfferRepository
from lotse_catalog.adapters.reviews import ReviewRepository
from lotse_shared.outbox import Outbox
from lotse_shared.unit_of_work import SqlUnitOfWork

__all__ = ["UnitOfWork"]


class UnitOfWork(SqlUnitOfWork):
    """The catalog's repositories; ``providers`` keeps active providers read, process-wide,
    and forgets those this transaction changed when it commits."""

    providers: ProviderRepository
    advisors: AdvisorRepository
    offers: OfferRepository
    needs: NeedRepository
    reviews: ReviewRepository
    reports: ReportRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        on_commit: Callable[[], None] = lambda: None,
        providers: ActiveProviders | None = None,
    ) -> None:
        super().__init__(sessions, outbox, on_commit)
        self._providers = providers or ActiveProviders(ttl=0)

    def _open(self) -> None:
        self.providers = ProviderRepository(self.session, self._providers)
        self.advisors = AdvisorRepository(self.session)
        self.offers = OfferRepository(self.session)
        self.needs = NeedRepository(self.session)
        self.reviews = ReviewRepository(self.session)
        self.reports = ReportRepository(self.session)

    async def commit(self) -> None:
        await super().commit()
        # Again after the commit: a transaction that read the provider meanwhile kept it.
        self._providers.forget(self.providers.changed)
