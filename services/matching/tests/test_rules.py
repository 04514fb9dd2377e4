"""The matching rules on their own: each hard condition, eligibility by date, score and reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lotse_matching.domain.conditions import HARD_CONDITIONS, first_failure
from lotse_matching.domain.eligibility import EligibilityHint, eligibility, load_rules
from lotse_matching.domain.fit import fit
from lotse_matching.domain.geography import haversine_km
from lotse_matching.domain.model import Context, Need, Offer
from lotse_shared.contracts import NeedDetails, NeedStatus, OfferDetails, OfferStatus
from lotse_shared.region import load_region

TODAY = date(2026, 11, 28)
CTX = Context(TODAY, load_region())
RULES = load_rules()
SCHWERTE, UNNA, SELM = "05978028", "05978036", "05978032"


def offer(status: OfferStatus = OfferStatus.PUBLISHED, **changes: Any) -> Offer:
    details = {
        "title": {"de": "Integrationskurs"},
        "description": {"de": "Vormittags"},
        "category": "integration_course",
        "location": {"municipality": SCHWERTE},
        "german_level_min": "A0",
        "german_level_max": "B1",
        "contact_email": "kurse@vhs.example",
    } | changes
    return Offer("o-1", "vhs", status, 1, OfferDetails.model_validate(details))


def need(status: NeedStatus = NeedStatus.OPEN, **changes: Any) -> Need:
    details = {
        "municipality": SCHWERTE,
        "age": 30,
        "german_level": "A1",
        "categories": ["integration_course"],
    }
    return Need(
        "n-1", "UNN-ABCDEF", "adv-1", status, 1, NeedDetails.model_validate(details | changes)
    )


def test_a_plain_pair_fits() -> None:
    assert first_failure(need(), offer(), CTX) is None


@pytest.mark.parametrize(
    ("need_changes", "offer_changes", "failure"),
    [
        ({"categories": ["counselling"]}, {}, "category"),
        ({"municipality": SELM, "max_travel_km": 5}, {}, "distance"),
        ({"age": 15}, {"age_min": 16}, "age"),
        ({"age": 28}, {"age_max": 27}, "age"),
        ({"german_level": "B2"}, {}, "german_level"),
        ({"literacy": "other_script"}, {"requires_latin_literacy": True}, "literacy"),
        (
            {"residence_status": "eu_citizen"},
            {"residence_statuses": ["recognised_protection"]},
            "residence_status",
        ),
        ({"times_of_day": ["evening"]}, {"times_of_day": ["morning"]}, "times_of_day"),
        ({"childcare_needed": True}, {}, "childcare"),
        ({"barrier_free_needed": True}, {}, "barrier_free"),
        ({}, {"places_total": 10, "places_available": 0}, "full"),
        ({}, {"end_date": "2026-11-27"}, "ended"),
        ({}, {"application_deadline": "2026-11-27"}, "deadline_passed"),
        ({"earliest_start": "2027-03-01"}, {"start_date": "2027-02-01"}, "starts_too_early"),
    ],
)
def test_each_hard_condition_refuses_what_does_not_fit(
    need_changes: dict[str, Any], offer_changes: dict[str, Any], failure: str
) -> None:
    assert first_failure(need(**need_changes), offer(**offer_changes), CTX) == failure


@pytest.mark.parametrize(
    ("need_changes", "offer_changes"),
    [
        ({"age": 16}, {"age_min": 16}),  # ranges include their ends
        ({"age": 27}, {"age_max": 27}),
        ({"german_level": "B1"}, {}),
        ({"german_level": "A0"}, {}),
        ({"municipality": UNNA}, {"service_area": [UNNA]}),
        ({"municipality": SELM, "max_travel_km": 5}, {"delivery_mode": "online"}),
        ({"municipality": UNNA, "max_travel_km": 15}, {}),  # Unna to Schwerte is about 12.6 km
        ({}, {"places_total": 10, "places_available": 0, "waitlist": True}),
        ({"times_of_day": []}, {"times_of_day": ["morning"]}),  # an empty list means any time
        ({"earliest_start": "2027-03-01"}, {"start_date": "2027-02-01", "rolling_start": True}),
        ({}, {"end_date": "2026-11-28", "application_deadline": "2026-11-28"}),
        ({"residence_status": None}, {"residence_statuses": ["recognised_protection"]}),
    ],
)
def test_borders_and_alternatives_still_fit(
    need_changes: dict[str, Any], offer_changes: dict[str, Any]
) -> None:
    assert first_failure(need(**need_changes), offer(**offer_changes), CTX) is None


def test_withdrawn_offers_and_closed_needs_never_fit() -> None:
    assert first_failure(need(), offer(OfferStatus.WITHDRAWN), CTX) == "withdrawn"
    assert first_failure(need(NeedStatus.CLOSED), offer(), CTX) == "need_closed"


def test_the_venues_coordinates_beat_its_municipality_centre() -> None:
    far_venue = {"municipality": UNNA, "lat": 51.683, "lon": 7.483}  # Unna's AGS, but Selm's place
    assert (
        first_failure(need(municipality=SELM, max_travel_km=2), offer(location=far_venue), CTX)
        is None
    )
    assert (
        first_failure(need(municipality=SCHWERTE, max_travel_km=20), offer(location=far_venue), CTX)
        == "distance"
    )


def test_haversine_matches_a_known_distance() -> None:
    # Schwerte to Unna centres: about 12.6 km
    assert haversine_km(51.446, 7.565, 51.533, 7.683) == pytest.approx(12.6, abs=0.5)


def test_there_is_one_function_per_hard_condition() -> None:
    assert len(HARD_CONDITIONS) == 12


@pytest.mark.parametrize(
    ("status", "day", "hint"),
    [
        ("recognised_protection", TODAY, EligibilityHint.ELIGIBLE),
        ("temporary_protection", date(2026, 2, 8), EligibilityHint.CHECK_REQUIRED),
        ("temporary_protection", date(2026, 2, 9), EligibilityHint.SELF_PAYER_ONLY),
        ("eu_citizen", TODAY, EligibilityHint.SELF_PAYER_ONLY),
        (None, TODAY, EligibilityHint.CHECK_REQUIRED),
    ],
)
def test_integration_course_eligibility_follows_the_rules_in_force(
    status: str | None, day: date, hint: str
) -> None:
    assert eligibility(need(residence_status=status), offer(), RULES, day) == hint


def test_offers_without_rules_are_eligible_unless_they_name_an_entitlement() -> None:
    counselling = offer(category="counselling")
    assert eligibility(need(), counselling, RULES, TODAY) == EligibilityHint.ELIGIBLE
    gated = offer(category="qualification", entitlement_required="jobcenter_voucher")
    assert eligibility(need(), gated, RULES, TODAY) == EligibilityHint.CHECK_REQUIRED


def test_a_closer_free_offer_with_language_support_scores_higher() -> None:
    n = need(municipality=UNNA, max_travel_km=20, languages=["ar"])
    near = fit(n, offer(location={"municipality": UNNA}, support_languages=["ar"]), CTX, RULES)
    far = fit(n, offer(free_of_charge=False, fee_eur="400"), CTX, RULES)
    assert near is not None and far is not None
    assert 0 <= far.score < near.score <= 1


def test_reasons_say_why_in_german_and_english() -> None:
    n = need(languages=["ar", "en"], childcare_needed=True)
    found = fit(
        n,
        offer(support_languages=["ar"], childcare=True, places_total=20, places_available=4),
        CTX,
        RULES,
    )
    assert found is not None
    by_code = {r.code: r for r in found.reasons}
    assert by_code["same_municipality"].de == "Im Wohnort Schwerte"
    assert by_code["language_support"].en == "Support in: ar"
    assert by_code["places"].de == "4 freie Plätze"
    assert {"category", "childcare", "free"} <= set(by_code)
