"""The need index finds exactly the open needs an offer fits, and the offer table exactly the
offers a need fits: the hard conditions, vectorised both ways.

Hypothesis draws needs and offers over every field a condition reads —
including distances that equal the travel limit, municipalities the region
does not know, and dates on either side of today — applies changes and
closures in batches, and compares the index with the conditions applied
one pair at a time.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lotse_matching.domain import encoding
from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.geography import haversine_km
from lotse_matching.domain.model import Context, Need, Offer
from lotse_matching.domain.need_index import NeedIndex
from lotse_matching.domain.offer_table import OfferTable
from lotse_shared.contracts import (
    Category,
    GermanLevel,
    Literacy,
    NeedDetails,
    NeedStatus,
    OfferDetails,
    OfferStatus,
    ResidenceStatus,
    TimeOfDay,
)
from lotse_shared.region import load_region

REGION = load_region()
TODAY = date(2026, 11, 28)
CTX = Context(TODAY, REGION)
PLACES = sorted(REGION.municipalities)
ELSEWHERE = "05911000"  # Bochum: valid, but not in the district
CATEGORIES = [Category.LANGUAGE_COURSE, Category.COUNSELLING, Category.INTEGRATION_COURSE]
# Distances between municipality centres, so that some needs' limits sit exactly on the boundary.
BOUNDARIES = sorted(
    {
        haversine_km(a.lat, a.lon, b.lat, b.lon)
        for a in REGION.municipalities.values()
        for b in list(REGION.municipalities.values())[:3]
    }
)

days = st.sampled_from([-30, -1, 0, 1, 30]).map(lambda n: TODAY + timedelta(days=n))
levels = st.sampled_from(list(GermanLevel))
some_times = st.lists(st.sampled_from(list(TimeOfDay)), max_size=3, unique=True)

need_details = st.builds(
    lambda **f: NeedDetails.model_validate(f),
    municipality=st.sampled_from([*PLACES, ELSEWHERE]),
    age=st.integers(15, 70),
    german_level=levels,
    literacy=st.sampled_from(list(Literacy)),
    residence_status=st.sampled_from([None, None, *list(ResidenceStatus)[:3]]),
    categories=st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True),
    times_of_day=some_times,
    childcare_needed=st.booleans(),
    barrier_free_needed=st.booleans(),
    max_travel_km=st.sampled_from([0.0, 5.0, 12.5, 30.0, *BOUNDARIES]),
    earliest_start=st.none() | days,
)


@st.composite
def offers(draw: st.DrawFn) -> Offer:
    low = draw(st.integers(0, 6))
    deadline, start, end = sorted(draw(st.lists(days, min_size=3, max_size=3)))
    with_venue = draw(st.booleans())
    fields: dict[str, Any] = {
        "title": {"de": "Kurs"},
        "description": {"de": "-"},
        "category": draw(st.sampled_from(CATEGORIES)),
        "location": {
            "municipality": draw(st.sampled_from([*PLACES, ELSEWHERE])),
            **({"lat": 51.5 + draw(st.integers(0, 30)) / 100, "lon": 7.6} if with_venue else {}),
        },
        "delivery_mode": draw(st.sampled_from(["in_person", "online", "hybrid"])),
        "service_area": draw(st.lists(st.sampled_from(PLACES), max_size=3, unique=True)),
        "age_min": draw(st.integers(0, 20)),
        "age_max": draw(st.integers(30, 120)),
        "german_level_min": list(GermanLevel)[low].value,
        "german_level_max": list(GermanLevel)[draw(st.integers(low, 6))].value,
        "requires_latin_literacy": draw(st.sampled_from([False, False, True])),
        "residence_statuses": draw(
            st.sampled_from([[], [], list(ResidenceStatus)[:2], list(ResidenceStatus)[2:]])
        ),
        "times_of_day": draw(some_times),
        "childcare": draw(st.booleans()),
        "barrier_free": draw(st.booleans()),
        "start_date": draw(st.sampled_from([None, start])),
        "rolling_start": draw(st.booleans()),
        "end_date": draw(st.sampled_from([None, end])),
        "application_deadline": draw(st.sampled_from([None, deadline])),
        "places_total": 10,
        "places_available": draw(st.sampled_from([None, 4, 4, 0])),
        "waitlist": draw(st.booleans()),
        "contact_email": "kurse@vhs.example",
    }
    status = draw(st.sampled_from([OfferStatus.PUBLISHED] * 4 + [OfferStatus.WITHDRAWN]))
    return Offer("o", "p", status, 1, OfferDetails.model_validate(fields))


def brute_force(states: dict[int, NeedDetails | None], offer: Offer) -> set[int]:
    return {
        nid
        for nid, details in states.items()
        if details is not None
        and first_failure(Need(str(nid), "UNN-X", "a", NeedStatus.OPEN, 1, details), offer, CTX)
        is None
    }


@settings(deadline=None, database=None, derandomize=True)
@given(
    registered=st.lists(need_details, min_size=20, max_size=40),
    later=st.lists(st.tuples(st.integers(0, 45), st.none() | need_details), max_size=30),
    batch=st.integers(1, 25),
    probes=st.lists(offers(), min_size=3, max_size=6),
)
def test_the_index_finds_exactly_the_needs_the_conditions_admit(
    registered: list[NeedDetails],
    later: list[tuple[int, NeedDetails | None]],
    batch: int,
    probes: list[Offer],
) -> None:
    changes: list[tuple[int, NeedDetails | None]] = [*enumerate(registered), *later]
    index = NeedIndex(PLACES)
    states: dict[int, NeedDetails | None] = {}
    for start in range(0, len(changes), batch):
        chunk = changes[start : start + batch]
        index.apply(chunk, seen=start + len(chunk))
        states.update(chunk)
    for offer in probes:
        found = index.fitting(offer, CTX).tolist()
        assert len(found) == len(set(found)), "a need was found twice"
        assert set(found) == brute_force(states, offer)
    assert index.seen == len(changes)


@settings(deadline=None, database=None, derandomize=True)
@given(
    drawn=st.lists(offers(), min_size=5, max_size=40),
    needs=st.lists(need_details, min_size=3, max_size=10),
    closed=st.booleans(),
)
def test_the_offer_table_finds_exactly_the_offers_the_conditions_admit(
    drawn: list[Offer], needs: list[NeedDetails], closed: bool
) -> None:
    numbered = [dataclasses.replace(o, id=f"o{n}") for n, o in enumerate(drawn)]
    table = OfferTable(numbered, CTX)
    for n, details in enumerate(needs):
        status = NeedStatus.CLOSED if closed and n == 0 else NeedStatus.OPEN
        need = Need(f"n{n}", "UNN-X", "a", status, 1, details)
        found = [o.id for o in table.fitting(need)]
        assert len(found) == len(set(found)), "an offer was found twice"
        assert set(found) == {o.id for o in numbered if first_failure(need, o, CTX) is None}


def test_a_closed_need_leaves_every_category_it_wanted() -> None:
    index = NeedIndex(PLACES)
    details = NeedDetails.model_validate(
        {"municipality": PLACES[0], "age": 30, "categories": ["counselling", "leisure"]}
    )
    index.apply([(1, details), (2, details)], seen=2)
    assert len(index) == 4
    index.apply([(1, None)], seen=3)
    assert len(index) == 2
    index.forget()
    assert (len(index), index.seen) == (0, 0)


def _one_need_and_offer(travel_km: float, **offer: Any) -> tuple[NeedIndex, Offer, NeedDetails]:
    home, venue = PLACES[0], PLACES[1]
    need = NeedDetails.model_validate(
        {"municipality": home, "age": 30, "categories": ["counselling"], "max_travel_km": travel_km}
    )
    index = NeedIndex(PLACES)
    index.apply([(7, need)], seen=1)
    fields: dict[str, Any] = {
        "title": {"de": "Beratung"},
        "description": {"de": "-"},
        "category": "counselling",
        "location": {"municipality": venue},
        "contact_email": "beratung@caritas.example",
        **offer,
    }
    return (
        index,
        Offer("o", "p", OfferStatus.PUBLISHED, 1, OfferDetails.model_validate(fields)),
        need,
    )


def test_a_venue_exactly_at_the_travel_limit_is_reachable_and_a_hair_beyond_is_not() -> None:
    home, venue = REGION.municipalities[PLACES[0]], REGION.municipalities[PLACES[1]]
    limit = haversine_km(home.lat, home.lon, venue.lat, venue.lon)
    index, offer, need = _one_need_and_offer(limit)
    assert index.fitting(offer, CTX).tolist() == [7]
    assert OfferTable([offer], CTX).fitting(_open(need)) == [offer]
    short, offer, need = _one_need_and_offer(limit - 1e-9)
    assert short.fitting(offer, CTX).tolist() == []
    assert OfferTable([offer], CTX).fitting(_open(need)) == []


def _open(details: NeedDetails) -> Need:
    return Need("n", "UNN-X", "a", NeedStatus.OPEN, 1, details)


def test_a_service_area_or_online_delivery_reaches_beyond_the_travel_limit() -> None:
    index, offer, _ = _one_need_and_offer(0.0)
    assert index.fitting(offer, CTX).tolist() == []
    index, offer, _ = _one_need_and_offer(0.0, service_area=[PLACES[0]])
    assert index.fitting(offer, CTX).tolist() == [7]
    index, offer, _ = _one_need_and_offer(0.0, delivery_mode="online")
    assert index.fitting(offer, CTX).tolist() == [7]


def test_each_residence_status_and_time_of_day_is_a_bit_of_its_own() -> None:
    def need_with(status: ResidenceStatus | None) -> NeedDetails:
        return NeedDetails.model_validate(
            {"municipality": PLACES[0], "age": 30, "categories": ["leisure"]}
            | {"residence_status": status}
        )

    statuses = [encoding.residence(need_with(s)) for s in [None, *ResidenceStatus]]
    times = [encoding.times([t]) for t in TimeOfDay]
    for masks in (statuses, times):
        assert all(m and m & (m - 1) == 0 for m in masks), "one bit each"
        assert len(set(masks)) == len(masks), "no two alike"
    assert statuses[0] == encoding.NO_STATUS
    assert encoding.statuses(ResidenceStatus) & encoding.NO_STATUS == 0
    assert encoding.times(TimeOfDay) == encoding.ANY_TIME
