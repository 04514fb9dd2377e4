"""What matching builds without validating again is what validating would have built.

Stored needs are turned back from their JSON field by field, and a consumed
event's details are taken from its fields; both are compared with a full
validation by ``repr``, which tells an enum member from its string and 15.0
from 15.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lotse_matching.adapters.stored_needs import stored_need_details
from lotse_matching.service_layer.handlers import need_from, offer_from
from lotse_shared.contracts import NeedDetails, NeedEvent, OfferDetails, OfferEvent
from lotse_shared.contracts.examples import EXAMPLES
from services.matching.tests.test_need_index import need_details

needs = st.builds(
    lambda details, languages: details.model_copy(update={"languages": languages}),
    need_details,
    st.lists(st.sampled_from(["ar", "uk", "fa", "tr"]), max_size=3, unique=True),
)


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(details=needs)
def test_a_stored_need_is_built_back_as_validating_it_would(details: NeedDetails) -> None:
    stored = details.model_dump(mode="json")
    assert repr(stored_need_details(stored)) == repr(NeedDetails.model_validate(stored))


def test_a_stored_need_without_a_field_gets_its_default() -> None:
    stored = {"municipality": "05978028", "age": 30, "categories": ["leisure"]}
    assert repr(stored_need_details(stored)) == repr(NeedDetails.model_validate(stored))


def test_a_consumed_events_details_are_what_validating_them_would_give() -> None:
    offers = [e for e in EXAMPLES.values() if isinstance(e, OfferEvent)]
    needs = [e for e in EXAMPLES.values() if isinstance(e, NeedEvent)]
    assert offers and needs
    for offer in offers:
        validated = OfferDetails.model_validate(
            offer.model_dump(include=set(OfferDetails.model_fields))
        )
        assert repr(offer_from(offer).details) == repr(validated)
    for need in needs:
        validated = NeedDetails.model_validate(
            need.model_dump(include=set(NeedDetails.model_fields))
        )
        assert repr(need_from(need).details) == repr(validated)
