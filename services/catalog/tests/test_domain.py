"""The catalog's rules on their own: no database, no HTTP."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lotse_catalog.domain.errors import Conflict, StaleVersion
from lotse_catalog.domain.model import Need, Offer, new_reference
from lotse_shared.contracts import NeedDetails, NeedStatus, OfferDetails, OfferStatus

DETAILS = OfferDetails.model_validate(
    {
        "title": {"de": "Deutschkurs"},
        "description": {"de": "Abends"},
        "category": "language_course",
        "location": {"municipality": "05978028"},
        "contact_email": "kurse@vhs.example",
    }
)
NEED = NeedDetails.model_validate(
    {"municipality": "05978028", "age": 30, "categories": ["counselling"]}
)


def test_a_reference_is_short_readable_and_never_uses_look_alike_characters() -> None:
    references = {new_reference("UNN") for _ in range(2000)}
    assert all(re.fullmatch(r"UNN-[2-9A-HJ-NP-Z]{6}", r) for r in references)
    assert len(references) == 2000


def test_each_change_of_an_offer_raises_its_version() -> None:
    offer = Offer(id="o", provider_id="p", details=DETAILS)
    offer.revise(DETAILS.model_copy(update={"places_available": 2}), expected_version=1)
    offer.withdraw(expected_version=2)
    assert (offer.version, offer.status) == (3, OfferStatus.WITHDRAWN)


def test_a_change_against_an_old_version_is_refused() -> None:
    offer = Offer(id="o", provider_id="p", details=DETAILS, version=4)
    with pytest.raises(StaleVersion, match="version 4, not 3"):
        offer.revise(DETAILS, expected_version=3)
    assert offer.version == 4


def test_a_withdrawn_offer_stays_withdrawn() -> None:
    offer = Offer(id="o", provider_id="p", details=DETAILS)
    offer.withdraw(expected_version=1)
    with pytest.raises(Conflict):
        offer.withdraw(expected_version=2)
    with pytest.raises(Conflict):
        offer.revise(DETAILS, expected_version=2)


def test_a_closed_need_cannot_change() -> None:
    need = Need(
        id="n", reference="UNN-ABCDEF", advisor_id="a", details=NEED, expires_on=date(2027, 1, 1)
    )
    need.close(expected_version=1)
    assert need.status is NeedStatus.CLOSED
    with pytest.raises(Conflict):
        need.revise(NEED, None, expected_version=2)


def test_a_need_expires_after_the_retention() -> None:
    assert Need.expiry(timedelta(days=180), today=date(2026, 11, 28)) == date(2027, 5, 27)
