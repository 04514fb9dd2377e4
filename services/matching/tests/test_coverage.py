"""Coordinators see, per municipality and kind, where needs wait without a fitting offer;
counts of 1 to 4 needs never show as such."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lotse_matching.bootstrap import Matching
from lotse_matching.domain.coverage import suppress_few, suppressed_total
from services.matching.tests.api_support import SCHWERTE, WERNE, Headers, deliver, need, offer

BERGKAMEN = "05978004"


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, "< 5"), (2, "< 5"), (4, "< 5"), (5, 5), (120, 120)]
)
def test_one_to_four_people_are_shown_as_fewer_than_five(count: int, shown: int | str) -> None:
    assert suppress_few(count) == shown


@pytest.mark.parametrize(
    ("parts", "shown"),
    [
        ((6, 7), 13),  # no hidden part: the exact total
        ((0, 0), 0),
        ((6, 2), "≥ 7"),  # not 8: with the 6 shown beside it, 8 would give the 2 away
        ((3, 4), "≥ 2"),  # not 7: two cells of "< 5" summing to 7 are nearly told
        ((3, 0, 0), "< 5"),  # a lone hidden part is what it is
        ((120, 1, 1, 1), "≥ 123"),
    ],
)
def test_a_total_of_people_is_told_only_from_what_its_parts_show(
    parts: tuple[int, ...], shown: int | str
) -> None:
    assert suppressed_total(parts) == shown


async def coverage(
    api: httpx.AsyncClient, admin: Headers, **params: str
) -> dict[tuple[str, str], dict[str, Any]]:
    response = await api.get("/v1/stats/coverage", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return {(r["municipality"], r["category"]): r for r in response.json()}


@pytest.fixture
def admin(token: Callable[[str, str], Headers]) -> Headers:
    return token("admin", "ki")


async def test_a_need_counts_as_without_match_for_each_kind_it_has_no_match_of(
    matching: Matching, api: httpx.AsyncClient, admin: Headers
) -> None:
    for _ in range(5):
        await deliver(matching, need(categories=("integration_course", "language_course")))
    await deliver(matching, offer(category="integration_course"))
    rows = await coverage(api, admin)
    integration, language = (
        rows[(SCHWERTE, "integration_course")],
        rows[(SCHWERTE, "language_course")],
    )
    assert (integration["open_needs"], integration["needs_without_match"]) == (5, 0)
    assert (language["open_needs"], language["needs_without_match"]) == (5, 5)
    assert (language["published_offers"], language["free_places"]) == (0, 0)


async def test_every_municipality_of_the_region_appears_for_every_kind_on_record(
    matching: Matching, api: httpx.AsyncClient, admin: Headers
) -> None:
    await deliver(matching, need(municipality=WERNE, categories=("counselling",)))
    await deliver(matching, offer(category="leisure"))
    rows = await coverage(api, admin)
    region = matching.policy.region.municipalities
    assert set(rows) == {(m, k) for m in region for k in ("counselling", "leisure")}
    assert rows[(BERGKAMEN, "leisure")] == {
        "municipality": BERGKAMEN,
        "municipality_name": "Bergkamen",
        "category": "leisure",
        "open_needs": 0,
        "needs_without_match": 0,
        "published_offers": 0,
        "free_places": 0,
    }
    only = await coverage(api, admin, category="counselling")
    assert set(only) == {(m, "counselling") for m in region}


async def test_counts_of_one_to_four_needs_are_suppressed_in_json_and_csv_and_others_stay(
    matching: Matching, api: httpx.AsyncClient, admin: Headers
) -> None:
    for _ in range(5):
        await deliver(matching, need(municipality=SCHWERTE, categories=("language_course",)))
    for _ in range(3):
        await deliver(matching, need(municipality=WERNE, categories=("language_course",)))
    await deliver(matching, offer(municipality=WERNE, category="leisure", places=2))
    rows = await coverage(api, admin)
    assert (rows[(SCHWERTE, "language_course")]["open_needs"], rows[(SCHWERTE, "language_course")]["needs_without_match"]) == (5, 5)  # fmt: skip
    assert (rows[(WERNE, "language_course")]["open_needs"], rows[(WERNE, "language_course")]["needs_without_match"]) == ("< 5", "< 5")  # fmt: skip
    assert (rows[(BERGKAMEN, "language_course")]["open_needs"], rows[(BERGKAMEN, "language_course")]["needs_without_match"]) == (0, 0)  # fmt: skip
    # Offers and places are not about people: 1 and 2 stay numbers.
    assert (rows[(WERNE, "leisure")]["published_offers"], rows[(WERNE, "leisure")]["free_places"]) == (1, 2)  # fmt: skip

    response = await api.get("/v1/stats/coverage", params={"format": "csv"}, headers=admin)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    cells = {
        (r["municipality"], r["category"]): r for r in csv.DictReader(io.StringIO(response.text))
    }
    assert cells[(WERNE, "language_course")]["open_needs"] == "< 5"
    assert cells[(WERNE, "language_course")]["needs_without_match"] == "< 5"
    assert cells[(SCHWERTE, "language_course")]["open_needs"] == "5"
    assert cells[(BERGKAMEN, "language_course")]["needs_without_match"] == "0"
    assert cells[(WERNE, "leisure")]["free_places"] == "2"
    people = [r[k] for r in cells.values() for k in ("open_needs", "needs_without_match")]
    assert not [v for v in people if v in {"1", "2", "3", "4"}]


async def test_only_admins_see_coverage(
    api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    for role in ("advisor", "provider"):
        for path in ("/v1/stats/coverage", "/v1/stats/coverage/history"):
            response = await api.get(path, headers=token(role, "someone"))
            assert response.status_code == 403
            assert response.headers["content-type"] == "application/problem+json"
