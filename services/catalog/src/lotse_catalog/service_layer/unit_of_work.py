"""The catalog's unit of work: its repositories over one transaction with the outbox."""

from __future__ import annotations

from lotse_catalog.adapters.reports import ReportRepository
from lotse_catalog.adapters.repository import (
    AdvisorRepository,
    NeedRepository,
    OfferRepository,
    ProviderRepository,
)
from lotse_catalog.adapters.reviews import ReviewRepository
from lotse_shared.unit_of_work import SqlUnitOfWork

__all__ = ["UnitOfWork"]


class UnitOfWork(SqlUnitOfWork):
    providers: ProviderRepository
    advisors: AdvisorRepository
    offers: OfferRepository
    needs: NeedRepository
    reviews: ReviewRepository
    reports: ReportRepository

    def _open(self) -> None:
        self.providers = ProviderRepository(self.session)
        self.advisors = AdvisorRepository(self.session)
        self.offers = OfferRepository(self.session)
        self.needs = NeedRepository(self.session)
        self.reviews = ReviewRepository(self.session)
        self.reports = ReportRepository(self.session)
