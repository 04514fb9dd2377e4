"""The review's rules on their own: the policy, the states, four eyes, the difference."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lotse_catalog.config import CatalogSettings
from lotse_catalog.domain.errors import Conflict, Forbidden, InvalidField, NotFound
from lotse_catalog.domain.model import Offer
from lotse_catalog.domain.review import OfferReview, ReviewState
from lotse_catalog.domain.review_policy import ReviewPolicy, ReviewRules
from lotse_catalog.domain.revision import (
    FieldChange,
    RevisionState,
    Verdict,
    difference,
    free_places_only,
)
from lotse_shared.contracts import OfferDetails
from lotse_shared.identity import Principal, Role

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DETAILS = OfferDetails.model_validate(
    {
        "title": {"de": "Deutschkurs"},
        "description": {"de": "Abends"},
        "category": "language_course",
        "location": {"municipality": "05978028"},
        "places_total": 10,
        "places_available": 4,
        "contact_email": "kurse@vhs.example",
    }
)
CHANGED = DETAILS.model_copy(update={"title": {"de": "Deutschkurs B1", "en": "German B1"}})
PROVIDER = Principal("vhs", Role.PROVIDER)
ADMIN = Principal("ki-1", Role.ADMIN)
OTHER_ADMIN = Principal("ki-2", Role.ADMIN)


def submitted(published: Offer | None = None, author: str = "provider:vhs") -> OfferReview:
    review = OfferReview.start("o-1", "vhs", CHANGED if published else DETAILS, author)
    review.submit(author, published, AT)
    return review


def decide(review: OfferReview, verdict: Verdict, reviewer: Principal = ADMIN) -> None:
    comment = None if verdict is Verdict.APPROVED else "Bitte prüfen."
    review.decide(reviewer, len(review.revisions), verdict, comment, decision_id="d", at=AT)


@pytest.mark.parametrize(
    ("policy", "approved", "reviewed"),
    [
        (ReviewPolicy.OFF, 0, False),
        (ReviewPolicy.ALL, 10, True),
        (ReviewPolicy.NEW_PROVIDERS, 0, True),
        (ReviewPolicy.NEW_PROVIDERS, 2, True),
        (ReviewPolicy.NEW_PROVIDERS, 3, False),
    ],
)
def test_the_policy_says_whose_changes_wait_for_review(
    policy: ReviewPolicy, approved: int, reviewed: bool
) -> None:
    assert ReviewRules(policy, trusted_after=3).requires_review(approved) is reviewed


def test_a_new_offer_goes_from_draft_through_submitted_to_approved() -> None:
    review = OfferReview.start("o-1", "vhs", DETAILS, "provider:vhs")
    assert (review.state, review.draft) == (ReviewState.DRAFT, DETAILS)
    revision = review.submit("provider:vhs", None, AT)
    assert (review.state, revision.number, revision.base_version) == (
        ReviewState.SUBMITTED,
        1,
        None,
    )
    assert review.draft is None
    decision = review.decide(ADMIN, 1, Verdict.APPROVED, None, decision_id="d-1", at=AT)
    assert (review.state, revision.state) == (ReviewState.APPROVED, RevisionState.APPROVED)
    assert (decision.reviewer, decision.revision, decision.decided_at) == ("ki-1", 1, AT)
    assert review.approved_details == DETAILS


def test_changes_requested_then_edited_is_submitted_again_as_the_next_revision() -> None:
    review = submitted()
    decide(review, Verdict.CHANGES_REQUESTED)
    assert review.state is ReviewState.CHANGES_REQUESTED
    with pytest.raises(Conflict, match="no draft"):
        review.submit("provider:vhs", None, AT)
    review.save(CHANGED, "provider:vhs", None)
    second = review.submit("provider:vhs", None, AT)
    assert second.number == 2
    assert [r.state for r in review.revisions] == [
        RevisionState.CHANGES_REQUESTED,
        RevisionState.SUBMITTED,
    ]
    assert review.decisions[0].comment == "Bitte prüfen."


def test_a_rejected_new_offer_takes_no_more_changes_but_a_rejected_change_does() -> None:
    review = submitted()
    decide(review, Verdict.REJECTED)
    with pytest.raises(Conflict, match="rejected"):
        review.save(CHANGED, "provider:vhs", None)
    published = Offer(id="o-1", provider_id="vhs", details=DETAILS, version=2)
    change = submitted(published)
    decide(change, Verdict.REJECTED)
    change.save(CHANGED, "provider:vhs", published)
    assert change.state is ReviewState.DRAFT


def test_editing_a_submitted_revision_pulls_it_back_and_deciding_it_is_a_conflict() -> None:
    review = submitted()
    review.save(CHANGED, "provider:vhs", None)
    assert review.revisions[0].state is RevisionState.SUPERSEDED
    with pytest.raises(Conflict, match="no revision waiting"):
        decide(review, Verdict.APPROVED)
    review.submit("provider:vhs", None, AT)
    with pytest.raises(Conflict, match="revision 1 is superseded; revision 2 waits"):
        review.decide(ADMIN, 1, Verdict.APPROVED, None, decision_id="d", at=AT)


def test_four_eyes_no_author_of_a_revision_decides_on_it() -> None:
    review = OfferReview.start("o-1", "vhs", DETAILS, "admin:ki-1")  # an admin wrote it
    review.submit("provider:vhs", None, AT)
    with pytest.raises(Forbidden, match="four eyes"):
        decide(review, Verdict.APPROVED, ADMIN)
    with pytest.raises(Forbidden, match="only admins"):
        decide(review, Verdict.APPROVED, PROVIDER)
    decide(review, Verdict.APPROVED, OTHER_ADMIN)
    assert review.decisions[-1].reviewer == "ki-2"


def test_a_decision_against_approval_needs_a_comment_without_personal_data() -> None:
    review = submitted()
    with pytest.raises(InvalidField, match="comment"):
        review.decide(ADMIN, 1, Verdict.REJECTED, None, decision_id="d", at=AT)
    with pytest.raises(InvalidField, match="phone number"):
        review.decide(ADMIN, 1, Verdict.REJECTED, "ruf an: 0231 123456", decision_id="d", at=AT)
    with pytest.raises(NotFound):
        review.decide(ADMIN, 7, Verdict.APPROVED, None, decision_id="d", at=AT)
    assert review.state is ReviewState.SUBMITTED


def test_free_places_reach_the_draft_and_the_revision_waiting_in_place() -> None:
    review = submitted()
    assert review.take_free_places(2)
    assert (review.pending and review.pending.details.places_available) == 2
    assert review.state is ReviewState.SUBMITTED  # not pulled back
    review.save(DETAILS.model_copy(update={"places_total": 3}), "provider:vhs", None)
    assert review.take_free_places(8)
    assert review.draft is not None and review.draft.places_available == 3  # at most in all
    closed = submitted()
    decide(closed, Verdict.APPROVED)
    assert not closed.take_free_places(1)


def test_withdrawal_ends_the_review_for_good() -> None:
    review = submitted()
    review.withdraw()
    assert (review.state, review.revisions[0].state) == (
        ReviewState.WITHDRAWN,
        RevisionState.WITHDRAWN,
    )
    for act in (
        lambda: review.save(CHANGED, "provider:vhs", None),
        lambda: review.withdraw(),
        lambda: review.request_changes(ADMIN, "x", "r", decision_id="d", at=AT),
    ):
        with pytest.raises(Conflict, match="withdrawn"):
            act()


def test_a_report_requests_changes_of_the_revision_waiting_or_of_the_published_offer() -> None:
    review = submitted()
    decision = review.request_changes(ADMIN, "Kurs ist voll.", "r-1", decision_id="d", at=AT)
    assert (decision.revision, decision.report_id) == (1, "r-1")
    assert review.revisions[0].state is RevisionState.CHANGES_REQUESTED
    published = OfferReview("o-2", "vhs", state=ReviewState.PUBLISHED)
    about_offer = published.request_changes(ADMIN, "Kurs ist voll.", "r-2", decision_id="e", at=AT)
    assert (about_offer.revision, published.state) == (None, ReviewState.CHANGES_REQUESTED)


def test_a_draft_identical_to_the_published_offer_is_not_submitted() -> None:
    published = Offer(id="o-1", provider_id="vhs", details=DETAILS)
    review = OfferReview.start("o-1", "vhs", DETAILS, "provider:vhs")
    with pytest.raises(Conflict, match="changes nothing"):
        review.submit("provider:vhs", published, AT)


def test_the_difference_names_each_changed_field_with_both_values() -> None:
    assert difference(DETAILS, CHANGED) == (
        FieldChange("title.de", "Deutschkurs", "Deutschkurs B1"),
        FieldChange("title.en", None, "German B1"),
    )
    new = {c.field for c in difference(None, DETAILS)}
    assert {"title.de", "location.municipality", "places_available"} <= new
    assert difference(DETAILS, DETAILS) == ()


def test_only_a_change_of_free_places_passes_without_review() -> None:
    assert free_places_only(DETAILS, DETAILS.model_copy(update={"places_available": 0}))
    assert free_places_only(DETAILS, DETAILS)
    assert not free_places_only(DETAILS, DETAILS.model_copy(update={"places_total": 12}))


def test_a_district_reviews_new_providers_unless_it_chooses_otherwise() -> None:
    settings = CatalogSettings(LOTSE_ENV="test", LOTSE_JWT_SECRET="x" * 48)
    assert settings.review == ReviewRules(ReviewPolicy.NEW_PROVIDERS, 3)
    assert settings.review.requires_review(2) and not settings.review.requires_review(3)
