"""Notifications' unit of work: directory, delivery log, erased needs, reviews, reports, inbox and outbox in one transaction."""

from __future__ import annotations

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.repository import DeliveryLog, Directory, ErasedNeeds
from lotse_notifications.adapters.reviews import OfferReviews, OpenReports, ReviewEmails
from lotse_shared.unit_of_work import SqlUnitOfWork

__all__ = ["UnitOfWork"]


class UnitOfWork(SqlUnitOfWork):
    directory: Directory
    deliveries: DeliveryLog
    erased: ErasedNeeds
    reviews: OfferReviews
    reports: OpenReports
    review_emails: ReviewEmails
    inbox = orm.inbox

    def _open(self) -> None:
        self.directory = Directory(self.session)
        self.deliveries = DeliveryLog(self.session)
        self.erased = ErasedNeeds(self.session)
        self.reviews = OfferReviews(self.session)
        self.reports = OpenReports(self.session)
        self.review_emails = ReviewEmails(self.session)
