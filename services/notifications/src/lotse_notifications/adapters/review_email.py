"""Lays the review's emails out like the advisors' ones: the provider's about a decision,
the KI's daily list of offers waiting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from lotse_notifications.adapters.email import EmailComposer
from lotse_notifications.domain.mailer import Email
from lotse_notifications.domain.review import Decided, ReviewDigest
from lotse_notifications.domain.review_wording import (
    QUEUE_WORDS,
    decision_parts,
    decision_subject,
    queue_entries,
    queue_intro,
    queue_subject,
    report_entries,
    reports_intro,
)
from lotse_shared.region import Region

__all__ = ["ReviewComposer"]


class ReviewComposer(EmailComposer):
    """Also composes the review's emails; times show in ``zone``, replies go to the KI."""

    def __init__(
        self,
        *,
        sender: str,
        region: Region,
        link_base: str,
        zone: ZoneInfo,
        ki_email: str | None = None,
    ) -> None:
        super().__init__(sender=sender, region=region, link_base=link_base)
        self.zone = zone
        self.ki_email = ki_email

    def decision(self, decided: Decided, *, provider: str | None, now: datetime) -> Email:
        """The provider's email about a decision; ``provider``: its name, when known."""
        return self.message(
            to=(provider or "", decided.contact_email),
            subject=decision_subject(decided),
            template="review_decision",
            context={"parts": decision_parts(decided, self.region.name, self.ki_email, self.zone)},
            message_id=f"<{decided.id}@lotse>",
            language="de, en",
            now=now,
            reply_to=self.ki_email,
        )

    def digest(self, digest: ReviewDigest, *, providers: Mapping[str, str], now: datetime) -> Email:
        """The KI's email of the day: every offer waiting and every open problem report, each
        with its provider's name."""
        entries = queue_entries(digest.waiting, providers, now, self.zone)
        reports = report_entries(digest.reports, providers, self.zone)
        return self.message(
            to=("", digest.recipient),
            subject=queue_subject(len(entries), len(reports)),
            template="review_queue",
            context={
                "w": QUEUE_WORDS,
                "intro": queue_intro(len(entries)),
                "entries": entries,
                "reports_intro": reports_intro(len(reports)),
                "reports": reports,
            },
            message_id=f"<{digest.id}@lotse>",
            language="de",
            now=now,
        )
