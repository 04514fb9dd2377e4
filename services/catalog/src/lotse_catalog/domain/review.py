"""The KI's review of offers: which changes wait for it, and what each decision does.

An offer under review goes draft → submitted → approved (published), or →
changes requested → (edited) draft → submitted again, or → rejected. A
change to a published offer is a draft of its own while the published
version stays what advisors and matching see. Free places and withdrawal
never wait. Four eyes: a decision is an admin's, never one of the
revision's authors'.

================= ========== ============ ======== ================= ======== ======== =========
state / action    save       submit       approve  request changes   reject   places   withdraw
================= ========== ============ ======== ================= ======== ======== =========
(no offer yet)    draft      -            -        -                 -        -        -
draft             draft      submitted    409      409               409      draft    withdrawn
submitted         draft (1)  409          approved changes_requested rejected in place withdrawn
changes_requested draft      submitted(2) 409      409               409      live     withdrawn
approved          draft      409          409      409               409      live     withdrawn
rejected          draft (3)  409          409      409               409      live     withdrawn
published         draft      409          409      409               409      live     withdrawn
withdrawn         409        409          409      409               409      409      409
================= ========== ============ ======== ================= ======== ======== =========

(1) the submitted revision is pulled back (superseded): deciding it is a 409.
(2) only when a draft was saved since; 409 otherwise.
(3) only a change to a published offer; a rejected new offer stays rejected.
"places" changes the published offer at once ("live") and the draft or the
revision waiting alike. An admin may turn an advisor's problem report into
"changes requested" in every state but withdrawn (:meth:`OfferReview.request_changes`).
"published" closes a review without a decision: the policy let a later
change through directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Self

from lotse_catalog.domain.errors import Conflict, Forbidden, InvalidField, NotFound
from lotse_catalog.domain.model import Offer, now
from lotse_catalog.domain.personal_data import refuse_personal_data
from lotse_catalog.domain.revision import (
    Decision,
    Revision,
    RevisionState,
    Verdict,
    author_of,
    difference,
    with_free_places,
)
from lotse_shared.contracts import OfferDetails
from lotse_shared.identity import Principal

__all__ = ["OfferReview", "ReviewState"]


class ReviewState(StrEnum):
    """Where an offer's review stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PUBLISHED = "published"
    """Closed without a decision: a later change was published directly, as the policy allowed."""


_OPEN = frozenset({ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.CHANGES_REQUESTED})


@dataclass
class OfferReview:
    """An offer's review: its working draft, its revisions and the decisions on them."""

    offer_id: str
    provider_id: str
    state: ReviewState = ReviewState.DRAFT
    draft: OfferDetails | None = None
    draft_authors: frozenset[str] = frozenset()
    revisions: list[Revision] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    version: int = 1
    updated_at: datetime = field(default_factory=now)

    @classmethod
    def start(cls, offer_id: str, provider_id: str, details: OfferDetails, author: str) -> Self:
        """The review of a new offer: its first draft."""
        return cls(offer_id, provider_id, draft=details, draft_authors=frozenset({author}))

    @property
    def id(self) -> str:
        return self.offer_id

    @property
    def is_open(self) -> bool:
        return self.state in _OPEN

    @property
    def pending(self) -> Revision | None:
        """The revision waiting for a decision, if one does."""
        return self.revisions[-1] if self.state is ReviewState.SUBMITTED else None

    @property
    def working_copy(self) -> OfferDetails | None:
        """What the provider last wrote: the draft, else the newest revision."""
        if self.draft is not None:
            return self.draft
        return self.revisions[-1].details if self.revisions else None

    def save(self, details: OfferDetails, author: str, published: Offer | None) -> None:
        """Keep ``details`` as the draft; a submitted revision is pulled back from review."""
        self.ensure_changeable(published)
        if (pending := self.pending) is not None:
            pending.state = RevisionState.SUPERSEDED
        if not self.is_open or self.draft is None:
            self.draft_authors = frozenset()
        self.draft = details
        self.draft_authors |= {author}
        self.state = ReviewState.DRAFT
        self._touch()

    def ensure_changeable(self, published: Offer | None) -> None:
        """A withdrawn offer, and a new offer once rejected, take no more changes."""
        self._refuse_if_withdrawn()
        if self.state is ReviewState.REJECTED and published is None:
            raise Conflict(f"offer {self.offer_id} was rejected; submit a new offer instead")

    def submit(self, author: str, published: Offer | None, at: datetime) -> Revision:
        """The draft becomes the next revision, waiting for a decision."""
        self._refuse_if_withdrawn()
        if self.draft is None or self.state not in (
            ReviewState.DRAFT,
            ReviewState.CHANGES_REQUESTED,
        ):
            raise Conflict(f"offer {self.offer_id} has no draft to submit (it is {self.state})")
        if published is not None and self.draft == published.details:
            raise Conflict("the draft changes nothing of the published offer")
        revision = Revision(
            number=len(self.revisions) + 1,
            details=self.draft,
            changes=difference(published.details if published else None, self.draft),
            authors=self.draft_authors | {author},
            submitted_by=author,
            submitted_at=at,
            base_version=published.version if published else None,
        )
        self.revisions.append(revision)
        self.draft, self.draft_authors = None, frozenset()
        self.state = ReviewState.SUBMITTED
        self._touch()
        return revision

    def decide(
        self,
        reviewer: Principal,
        revision: int,
        verdict: Verdict,
        comment: str | None,
        *,
        decision_id: str,
        at: datetime,
    ) -> Decision:
        """Decide on the revision waiting; it must be the one ``revision`` names."""
        if not reviewer.is_admin:
            raise Forbidden("only admins decide on offers under review")
        if verdict is not Verdict.APPROVED and not comment:
            raise InvalidField("comment", "say what the provider should change, or why not")
        refuse_personal_data("comment", comment, at.date())
        pending = self.pending
        if pending is None:
            raise Conflict(f"offer {self.offer_id} has no revision waiting for a decision")
        if not 1 <= revision <= len(self.revisions):
            raise NotFound(f"offer {self.offer_id} has no revision {revision}")
        if revision != pending.number:
            raise Conflict(
                f"revision {revision} is {self.revisions[revision - 1].state}; "
                f"revision {pending.number} waits for a decision"
            )
        self._four_eyes(reviewer, pending)
        pending.state = RevisionState(verdict.value)
        self.state = ReviewState(verdict.value)
        return self._record(Decision(decision_id, revision, verdict, reviewer.sub, at, comment))

    def request_changes(
        self, reviewer: Principal, comment: str, report_id: str, *, decision_id: str, at: datetime
    ) -> Decision:
        """Turn an advisor's report into a change request, about the revision waiting if
        there is one, otherwise about the published offer; a draft stays as it is."""
        if not reviewer.is_admin:
            raise Forbidden("only admins decide on reports")
        refuse_personal_data("comment", comment, at.date())
        self._refuse_if_withdrawn()
        pending = self.pending
        if pending is not None:
            self._four_eyes(reviewer, pending)
            pending.state = RevisionState.CHANGES_REQUESTED
        self.state = ReviewState.CHANGES_REQUESTED
        decision = Decision(
            decision_id,
            pending.number if pending else None,
            Verdict.CHANGES_REQUESTED,
            reviewer.sub,
            at,
            comment,
            report_id,
        )
        return self._record(decision)

    @property
    def approved_details(self) -> OfferDetails:
        """What the approval just given publishes: the approved revision's details."""
        if self.state is not ReviewState.APPROVED:
            raise Conflict(f"offer {self.offer_id} has no approved revision")
        return self.revisions[-1].details

    def take_free_places(self, places: int | None) -> bool:
        """Free places never wait: the draft, or the revision waiting, takes them in place.
        False when there is neither."""
        if self.draft is not None:
            self.draft = with_free_places(self.draft, places)
        elif (pending := self.pending) is not None:
            pending.details = with_free_places(pending.details, places)
        else:
            return False
        self._touch()
        return True

    def withdraw(self) -> None:
        """The offer was withdrawn: nothing of its review is published any more."""
        self._refuse_if_withdrawn()
        if (pending := self.pending) is not None:
            pending.state = RevisionState.WITHDRAWN
        self.draft, self.draft_authors = None, frozenset()
        self.state = ReviewState.WITHDRAWN
        self._touch()

    def close_published(self) -> None:
        """A change was published without review; what waited is superseded by it."""
        if (pending := self.pending) is not None:
            pending.state = RevisionState.SUPERSEDED
        self.draft, self.draft_authors = None, frozenset()
        self.state = ReviewState.PUBLISHED
        self._touch()

    def _four_eyes(self, reviewer: Principal, revision: Revision) -> None:
        if author_of(reviewer) in revision.authors:
            raise Forbidden(
                f"four eyes: you wrote or submitted revision {revision.number}; "
                "another admin decides on it"
            )

    def _refuse_if_withdrawn(self) -> None:
        if self.state is ReviewState.WITHDRAWN:
            raise Conflict(f"offer {self.offer_id} is withdrawn")

    def _record(self, decision: Decision) -> Decision:
        self.decisions.append(decision)
        self._touch()
        return decision

    def _touch(self) -> None:
        self.version += 1
        self.updated_at = now()
