"""Matching keeps a daily snapshot of the coverage figures; the trend reads one day per week."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from lotse_matching.adapters import orm
from lotse_matching.bootstrap import Matching
from lotse_matching.entrypoints import api as matching_api
from lotse_matching.service_layer.coverage import coverage_history, take_coverage_snapshot
from services.matching.tests.api_support import SCHWERTE, WERNE, Headers, deliver, need, offer

TODAY = date(2026, 12, 17)  # a Thursday; its week starts on Monday 14 December
THIS_WEEK, LAST_WEEK = date(2026, 12, 14), date(2026, 12, 7)


FIGURES = ("open_needs", "needs_without_match", "published_offers", "free_places")


async def snapshot_rows(matching: Matching) -> dict[tuple[date, str, str], tuple[int, ...]]:
    async with matching.runtime.engine.connect() as conn:
        rows = (await conn.execute(select(orm.coverage_days))).all()
    return {
        (r.day, r.municipality, r.category): (
            r.open_needs,
            r.needs_without_match,
            r.published_offers,
            r.free_places,
        )
        for r in rows
    }


async def store_days(matching: Matching, *rows: tuple[date, str, str, int, int, int, int]) -> None:
    columns = ("day", "municipality", "category", *FIGURES)
    async with matching.runtime.engine.begin() as conn:
        await conn.execute(
            insert(orm.coverage_days), [dict(zip(columns, r, strict=True)) for r in rows]
        )


async def history(matching: Matching, **options: Any) -> dict[str, Any]:
    found = await coverage_history(
        matching.uow(),
        TODAY,
        weeks=options.pop("weeks", 2),
        by=options.pop("by", "municipality"),
        name_of=matching.policy.region.name_of,
        **options,
    )
    return {s.key: s for s in found.series} | {"weeks": found.weeks}


async def test_a_snapshot_stores_todays_raw_counts_for_every_municipality_and_kind(
    matching: Matching,
) -> None:
    for _ in range(3):
        await deliver(matching, need(municipality=WERNE))
    await deliver(matching, offer(places=7))
    region = matching.policy.region.municipalities
    written = await take_coverage_snapshot(matching.uow(), region, TODAY)
    rows = await snapshot_rows(matching)
    assert written == len(rows) == len(region)
    assert rows[(TODAY, WERNE, "integration_course")] == (3, 3, 0, 0)  # raw, not "< 5"
    assert rows[(TODAY, SCHWERTE, "integration_course")] == (0, 0, 1, 7)


async def test_a_snapshot_again_the_same_day_replaces_that_days_rows_only(
    matching: Matching,
) -> None:
    region = matching.policy.region.municipalities
    await deliver(matching, need(municipality=WERNE))
    await take_coverage_snapshot(matching.uow(), region, TODAY - timedelta(days=1))
    await take_coverage_snapshot(matching.uow(), region, TODAY)
    first = await snapshot_rows(matching)
    await take_coverage_snapshot(matching.uow(), region, TODAY)
    assert await snapshot_rows(matching) == first  # idempotent
    await deliver(matching, need(municipality=WERNE))
    await deliver(matching, need(municipality=WERNE, categories=("leisure",)))
    await take_coverage_snapshot(matching.uow(), region, TODAY)
    rows = await snapshot_rows(matching)
    assert rows[(TODAY, WERNE, "integration_course")] == (2, 2, 0, 0)
    assert rows[(TODAY, WERNE, "leisure")] == (1, 1, 0, 0)
    yesterday = {k: v for k, v in rows.items() if k[0] != TODAY}
    assert yesterday == {k: v for k, v in first.items() if k[0] != TODAY}
    assert (TODAY - timedelta(days=1), WERNE, "leisure") not in rows


async def test_snapshots_taken_at_once_leave_one_consistent_day(matching: Matching) -> None:
    await deliver(matching, need(municipality=WERNE))
    region = matching.policy.region.municipalities
    await asyncio.gather(*(take_coverage_snapshot(matching.uow(), region, TODAY) for _ in range(4)))
    rows = await snapshot_rows(matching)
    assert len(rows) == len(region)
    assert rows[(TODAY, WERNE, "integration_course")] == (1, 1, 0, 0)


async def test_history_takes_the_latest_day_of_each_week_and_sums_over_the_kinds(
    matching: Matching,
) -> None:
    await store_days(
        matching,
        (LAST_WEEK, SCHWERTE, "integration_course", 9, 9, 9, 9),  # an earlier day of that week
        (LAST_WEEK + timedelta(days=4), SCHWERTE, "integration_course", 3, 1, 1, 10),
        (LAST_WEEK + timedelta(days=4), SCHWERTE, "language_course", 3, 2, 2, 5),
        (THIS_WEEK + timedelta(days=1), SCHWERTE, "integration_course", 2, 0, 0, 0),
        (THIS_WEEK + timedelta(days=1), SCHWERTE, "language_course", 2, 2, 1, 3),
    )
    found = await history(matching)
    assert found["weeks"] == [LAST_WEEK, THIS_WEEK]
    schwerte = found[SCHWERTE]
    assert schwerte.name == "Schwerte"
    before, now = schwerte.points
    # Totals of hidden parts give nothing away: 3 + 3 reads "≥ 2", not 6; 0 + 2 stays "< 5".
    assert before == {
        "week": LAST_WEEK,
        "day": LAST_WEEK + timedelta(days=4),
        "open_needs": "≥ 2",
        "needs_without_match": "≥ 2",
        "published_offers": 3,
        "free_places": 15,
    }
    assert now == {
        "week": THIS_WEEK,
        "day": THIS_WEEK + timedelta(days=1),
        "open_needs": "≥ 2",
        "needs_without_match": "< 5",
        "published_offers": 1,
        "free_places": 3,
    }


async def test_a_week_without_a_snapshot_has_null_figures(matching: Matching) -> None:
    await store_days(matching, (THIS_WEEK, WERNE, "leisure", 0, 0, 2, 8))
    found = await history(matching, weeks=3)
    assert found["weeks"] == [THIS_WEEK - timedelta(weeks=2), LAST_WEEK, THIS_WEEK]
    empty, _, now = found[WERNE].points
    assert empty == {
        "week": THIS_WEEK - timedelta(weeks=2),
        "day": None,
        "open_needs": None,
        "needs_without_match": None,
        "published_offers": None,
        "free_places": None,
    }
    assert (now["open_needs"], now["published_offers"], now["free_places"]) == (0, 2, 8)


async def test_history_by_kind_sums_over_municipalities_and_filters_apply(
    matching: Matching,
) -> None:
    await store_days(
        matching,
        (THIS_WEEK, SCHWERTE, "leisure", 3, 3, 0, 0),
        (THIS_WEEK, WERNE, "leisure", 4, 2, 1, 1),
        (THIS_WEEK, WERNE, "counselling", 7, 7, 0, 0),
        (THIS_WEEK - timedelta(weeks=3), WERNE, "childcare", 9, 9, 0, 0),  # outside the window
    )
    found = await history(matching, by="category")
    assert set(found) == {"weeks", "leisure", "counselling"}
    assert found["leisure"].name == "leisure"
    assert (found["leisure"].points[1]["open_needs"], found["leisure"].points[1]["needs_without_match"]) == ("≥ 2", "≥ 2")  # fmt: skip
    counselling = found["counselling"].points[1]
    assert (counselling["open_needs"], counselling["needs_without_match"]) == (7, 7)
    in_werne = await history(matching, by="category", municipality=WERNE)
    assert in_werne["leisure"].points[1]["open_needs"] == "< 5"
    leisure = await history(matching, category="leisure")
    assert set(leisure) == {"weeks", SCHWERTE, WERNE}
    assert leisure[WERNE].points[1]["open_needs"] == "< 5"


@pytest.fixture
def admin(token: Callable[[str, str], Headers]) -> Headers:
    return token("admin", "ki")


async def test_the_history_endpoint_answers_json_and_csv_for_the_weeks_up_to_today(
    matching: Matching, api: httpx.AsyncClient, admin: Headers
) -> None:
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    await store_days(matching, (today, WERNE, "leisure", 3, 3, 1, 4))
    response = await api.get("/v1/stats/coverage/history", params={"weeks": 4}, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["by"] == "municipality"
    assert body["weeks"][-1] == monday.isoformat()
    assert len(body["weeks"]) == 4
    [series] = body["series"]
    assert (series["key"], series["name"]) == (WERNE, "Werne")
    assert series["points"][-1] == {
        "week": monday.isoformat(),
        "day": today.isoformat(),
        "open_needs": "< 5",
        "needs_without_match": "< 5",
        "published_offers": 1,
        "free_places": 4,
    }
    assert series["points"][0]["open_needs"] is None
    as_csv = await api.get(
        "/v1/stats/coverage/history", params={"weeks": 4, "format": "csv"}, headers=admin
    )
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 4
    assert (rows[-1]["key"], rows[-1]["open_needs"], rows[-1]["free_places"]) == (WERNE, "< 5", "4")
    assert rows[0]["open_needs"] == ""


@pytest.mark.parametrize(
    ("params", "field"),
    [({"weeks": 0}, "weeks"), ({"weeks": 53}, "weeks"), ({"by": "advisor"}, "by"),
     ({"municipality": "Werne"}, "municipality"), ({"category": "cooking"}, "category")],
)  # fmt: skip
async def test_bad_history_parameters_are_refused_naming_them(
    api: httpx.AsyncClient, admin: Headers, params: dict[str, Any], field: str
) -> None:
    response = await api.get("/v1/stats/coverage/history", params=params, headers=admin)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_the_periodic_snapshot_survives_a_failing_round_and_tries_again(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds: list[date] = []
    second_round = asyncio.Event()

    async def flaky_snapshot(uow: Any, municipalities: Any, today: date) -> int:
        rounds.append(today)
        if len(rounds) == 1:
            raise ConnectionError("database gone")
        second_round.set()
        return 0

    monkeypatch.setattr(matching.settings, "coverage_snapshot_minutes", 0.0001)
    monkeypatch.setattr(matching_api, "take_coverage_snapshot", flaky_snapshot)
    task = asyncio.create_task(matching_api.snapshot_coverage_forever(matching))
    try:
        await asyncio.wait_for(second_round.wait(), timeout=30)
    finally:
        task.cancel()
    assert len(rounds) >= 2
