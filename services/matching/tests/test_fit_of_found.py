"""Pairs the need index or the offer table found are scored without the hard conditions.

The answer is still the scalar reference's, every condition checked pair by
pair: hypothesis draws needs and offers as for the index's own property
tests and compares the ranked offers and the scored needs with it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotse_matching.bootstrap import Matching
from lotse_matching.domain import fit as fit_module
from lotse_matching.domain.eligibility import load_rules
from lotse_matching.domain.fit import fit, fit_of_found
from lotse_matching.domain.model import Need, Offer
from lotse_matching.domain.need_index import NeedIndex
from lotse_matching.domain.offer_table import OfferTable
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer.ranking import best_offers, best_offers_found
from lotse_shared.contracts import NeedDetails, NeedStatus
from services.matching.tests.api_support import deliver, need, offer
from services.matching.tests.test_need_index import CTX, PLACES, REGION, TODAY, need_details, offers

POLICY = MatchPolicy(REGION, load_rules(), max_per_need=3)  # few, so that the weakest drop out


def _need(nid: int, details: NeedDetails, status: NeedStatus = NeedStatus.OPEN) -> Need:
    return Need(f"n{nid}", "UNN-X", "a", status, 1, details)


@settings(deadline=None, database=None, derandomize=True)
@given(
    drawn=st.lists(offers(), min_size=1, max_size=30),
    needs=st.lists(need_details, min_size=1, max_size=8),
    closed=st.booleans(),
)
def test_a_need_is_given_the_offers_the_scalar_rules_rank_best(
    drawn: list[Offer], needs: list[NeedDetails], closed: bool
) -> None:
    numbered = [dataclasses.replace(o, id=f"o{n:02}") for n, o in enumerate(drawn)]
    table = OfferTable(numbered, CTX)
    for n, details in enumerate(needs):
        status = NeedStatus.CLOSED if closed and n == 0 else NeedStatus.OPEN
        one = _need(n, details, status)
        assert best_offers_found(one, table, POLICY, CTX) == best_offers(
            one, numbered, POLICY, TODAY
        )


@settings(deadline=None, database=None, derandomize=True)
@given(
    registered=st.lists(need_details, min_size=1, max_size=30),
    probes=st.lists(offers(), min_size=1, max_size=5),
)
def test_an_offer_is_scored_for_the_needs_the_scalar_rules_admit(
    registered: list[NeedDetails], probes: list[Offer]
) -> None:
    index = NeedIndex(PLACES)
    index.apply(enumerate(registered, 1), seen=len(registered))
    needs = {nid: _need(nid, details) for nid, details in enumerate(registered, 1)}
    for probe in probes:
        found = index.fitting(probe, CTX).tolist()
        scored = {nid: fit_of_found(needs[nid], probe, CTX, POLICY.rules) for nid in found}
        assert scored == {
            nid: result
            for nid, one in needs.items()
            if (result := fit(one, probe, CTX, POLICY.rules)) is not None
        }


async def test_matching_runs_no_hard_condition_on_a_pair_it_found(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: Any) -> None:
        raise AssertionError("a found pair was checked again")

    monkeypatch.setattr(fit_module, "first_failure", refuse)
    first, second = need(), offer()
    for event in (first, second, need()):  # a need an offer is found for, and one that finds it
        await deliver(matching, event)
    async with matching.uow() as uow:
        assert len(await uow.matches.active_of_offer(second.offer_id)) == 2
