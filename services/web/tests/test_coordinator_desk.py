"""The coordinators' coverage desk, trend and delivery problems over fake APIs; who may see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from services.web.tests.conftest import csrf_of, sign_in
from services.web.tests.fakes import SCHWERTE, FakeApis

UNNA, LUENEN = "05978036", "05978024"
SMALL = re.compile(r"^[1-4]$")
PAGES = ("/coordinator/coverage", "/coordinator/coverage.csv", "/coordinator/trend",
         "/coordinator/providers", "/coordinator/providers/new", "/coordinator/advisors",
         "/coordinator/advisors/adv-1/edit", "/coordinator/providers/vhs-schwerte/deactivate",
         "/coordinator/delivery-problems", "/admin/feedback")  # fmt: skip
POSTS = ("/coordinator/providers/new", "/coordinator/advisors/adv-1/edit",
         "/coordinator/providers/vhs-schwerte/deactivate",
         "/coordinator/advisors/adv-2/deactivate")  # fmt: skip


def row(town: str, name: str, kind: str, open_: int, missing: int, offers: int, places: int
        ) -> dict[str, Any]:  # fmt: skip
    return {"municipality": town, "municipality_name": name, "category": kind,
            "open_needs": open_, "needs_without_match": missing, "published_offers": offers,
            "free_places": places}  # fmt: skip


@pytest.fixture
def figures(apis: FakeApis) -> FakeApis:
    apis.coverage = [
        row(SCHWERTE, "Schwerte", "language_course", 12, 3, 2, 9),
        row(UNNA, "Unna", "language_course", 7, 7, 0, 0),
        row(LUENEN, "Lünen", "language_course", 2, 1, 1, 3),
        row(UNNA, "Unna", "counselling", 4, 0, 1, 2),
    ]
    return apis


class NeedCounts(HTMLParser):
    """The text of every element marked as a count of needs (table cells and chart labels)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif "need-count" in classes:
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 1:
            self.found[-1] += data.strip()


def need_counts(html: str) -> list[str]:
    parser = NeedCounts()
    parser.feed(html)
    return parser.found  # a nested element (a hidden note) is not the count


async def test_the_coverage_desk_shows_a_table_a_chart_and_a_map_with_text_alternatives(
    browser: httpx.AsyncClient, figures: FakeApis
) -> None:
    await sign_in(browser, "ki-admin")
    page = (await browser.get("/coordinator/coverage")).text
    assert "<caption>" in page and '<th scope="row">Schwerte</th>' in page
    assert page.count('role="img"') == 2 and page.count("<title id=") == 2
    assert 'aria-labelledby="bars-title bars-desc"' in page and '<desc id="map-desc">' in page
    assert "Lünen: &lt; 5 open, &lt; 5 without a match." in page  # the chart's words
    assert 'class="num need-count">&lt; 5</td>' in page
    assert "so that no one can be recognised" in page
    counts = need_counts(page)
    assert "12" in counts and "7" in counts and "< 5" in counts
    assert not [c for c in counts if SMALL.match(c)], counts


async def test_no_count_of_one_to_four_needs_is_shown_even_if_the_api_gives_one(
    browser: httpx.AsyncClient, figures: FakeApis
) -> None:
    figures.suppress = False  # matching forgot: the web app holds the line alone
    await sign_in(browser, "ki-admin")
    page = (await browser.get("/coordinator/coverage")).text
    counts = need_counts(page)
    assert counts and not [c for c in counts if SMALL.match(c)], counts
    assert not re.search(r"[ >]([1-4]) (open|without)", page)
    download = await browser.get("/coordinator/coverage.csv")
    cells = [r[n] for r in csv.DictReader(io.StringIO(download.text))
             for n in ("open_needs", "needs_without_match")]  # fmt: skip
    assert "< 5" in cells and not [c for c in cells if SMALL.match(c)]


async def test_the_kind_filter_reaches_matching_and_the_chart(
    browser: httpx.AsyncClient, figures: FakeApis
) -> None:
    await sign_in(browser, "ki-admin")
    page = (await browser.get("/coordinator/coverage", params={"category": "counselling"})).text
    assert ("GET", "/v1/stats/coverage") in figures.calls
    assert 'value="counselling" selected' in page and "Chart: Counselling" in page
    assert "German course" not in page.split("<table", 1)[1]
    unknown = await browser.get("/coordinator/coverage", params={"category": "<script>"})
    assert unknown.status_code == 200 and "&lt;script&gt;" not in unknown.text


async def test_the_csv_download_is_matchings_suppressed_file(
    browser: httpx.AsyncClient, figures: FakeApis
) -> None:
    await sign_in(browser, "ki-admin")
    answer = await browser.get("/coordinator/coverage.csv", params={"category": "language_course"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["category"] for r in rows} == {"language_course"} and len(rows) == 3
    assert [r["needs_without_match"] for r in rows] == ["< 5", "7", "< 5"]


async def test_the_trend_shows_twelve_weeks_with_empty_ones_as_no_figures(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    today = datetime.now(UTC).date()
    for weeks_ago, missing in ((0, 6), (1, 3), (4, 9)):
        day = (today - timedelta(weeks=weeks_ago)).isoformat()
        apis.snapshots += [row(SCHWERTE, "Schwerte", "language_course", 8, missing, 1, 2)
                           | {"day": day},
                           row(SCHWERTE, "Schwerte", "counselling", 1, 1, 0, 0) | {"day": day}]  # fmt: skip
    await sign_in(browser, "ki-admin")
    page = (await browser.get("/coordinator/trend")).text
    assert page.count('<th scope="col" class="num">') == 12
    assert page.count(">no figures</span></td>") == 9
    cells = need_counts(page)
    # Summed over the kinds, each with a hidden part (the one counselling need): told as the
    # least they hold, so the 6, 3 and 9 beside them give nothing away.
    assert cells == ["≥ 10", "≥ 2", "≥ 7"] and 'role="img"' in page and "<desc id=" in page
    by_kind = (await browser.get("/coordinator/trend", params={
        "by": "category", "municipality": SCHWERTE, "figure": "open_needs"})).text  # fmt: skip
    assert "Counselling" in by_kind and "German course" in by_kind
    assert not [c for c in need_counts(by_kind) if SMALL.match(c)]
    assert 'value="category" selected' in by_kind


async def test_the_delivery_problems_name_the_advisor_offer_and_reason(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    now = datetime.now(UTC)
    base = {"match_id": "m", "kind": "match_found", "need_reference": "UNN-1",
            "invalidation_reason": None, "due_at": now.isoformat(), "sent_at": None}  # fmt: skip
    apis.deliveries += [
        base | {"id": "d1", "advisor_id": "adv-2", "offer_title": "Deutschkurs B1",
                "status": "failed", "attempts": 5, "last_error": "550 mailbox unavailable",
                "created_at": (now - timedelta(hours=2)).isoformat()},
        base | {"id": "d2", "advisor_id": "adv-2", "offer_title": "Beratung", "status": "pending",
                "attempts": 2, "last_error": "451 try later", "created_at": now.isoformat()},
        base | {"id": "d3", "advisor_id": "adv-1", "offer_title": "Alt", "status": "failed",
                "attempts": 5, "last_error": "550", "created_at": (now - timedelta(days=60))
                .isoformat()},
    ]  # fmt: skip
    await sign_in(browser, "ki-admin")
    page = (await browser.get("/coordinator/delivery-problems")).text
    assert "Jonas Becker" in page and "Deutschkurs B1" in page and "550 mailbox unavailable" in page
    assert "Aylin Demir" not in page  # her failure is older than 30 days
    assert 'href="/coordinator/advisors/adv-2/edit#field-email"' in page
    longer = (await browser.get("/coordinator/delivery-problems", params={"days": 90})).text
    assert "Aylin Demir" in longer


async def test_the_feedback_messages_are_in_the_coordinators_menu(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/feedback?page=/needs")
    await browser.post("/feedback", data={"csrf_token": csrf_of(page), "page": "/needs",
                                          "message": "Kontrast zu schwach.", "reply_to": "x@y.de"})  # fmt: skip
    await sign_in(browser, "ki-admin")
    listing = (await browser.get("/admin/feedback")).text
    assert 'href="/admin/feedback" aria-current="page"' in listing
    assert "Kontrast zu schwach." in listing and 'href="mailto:x@y.de"' in listing
    assert "1 message, newest first" in listing and 'href="/needs"' in listing


@pytest.mark.parametrize("account", ["adv-1", "vhs-schwerte"])
async def test_advisors_and_providers_get_the_403_page_on_every_coordinator_page(
    browser: httpx.AsyncClient, figures: FakeApis, account: str
) -> None:
    csrf = await sign_in(browser, account)
    before = len(figures.calls)
    for path in PAGES:
        answer = await browser.get(path)
        assert answer.status_code == 403 and "another desk" in answer.text, path
    for path in POSTS:
        answer = await browser.post(path, data={"csrf_token": csrf, "name": "X"})
        assert answer.status_code == 403 and "another desk" in answer.text, path
    assert figures.calls[before:] == []  # refused before any API was asked


async def test_a_coordinators_form_without_the_csrf_token_is_refused_and_changes_nothing(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser, "ki-admin")
    before = len(apis.calls)
    for path in POSTS:
        answer = await browser.post(path, data={"name": "X", "email": "x@y.de"})
        assert answer.status_code == 403 and "could not be accepted" in answer.text, path
    assert apis.calls[before:] == []


async def test_a_municipality_and_kind_with_neither_needs_nor_offers_is_left_out_of_the_table(
    browser: httpx.AsyncClient, figures: FakeApis
) -> None:
    figures.coverage.append(row("05978040", "Werne", "leisure", 0, 0, 0, 0))
    await sign_in(browser, "ki-admin")
    page = (await browser.get("/coordinator/coverage")).text
    table = page.split('id="coverage-table"', 1)[1]
    assert '<th scope="row">Werne</th>' not in table and "Leisure" not in table
    assert "1 combination of municipality and kind with neither needs nor offers" in page
