"""Server time of the busiest desk pages, next to the API calls behind them, in one run.

    python -m bench.web_pages [--needs 500] [--finder-offers 5000] [--sessions 20] [--seconds 10]
                              [--quick]

Kafka and PostgreSQL of its own, the three services and the web app as
processes on PostgreSQL. One advisor has ``--needs`` needs, all fitting the
same ten offers, so every need's page shows ten matches; the provider of those
ten has ``--offers`` offers in all (the others leisure offers nobody wants).
``--sessions`` signed-in sessions then each ask for a page every ``--period``
seconds (1), for ``--seconds`` (10), the sessions spread over the period:

- "my needs", its first page of 20 (the catalog's page of needs and matching's counts);
- a need's page with ten matches (the need, its matches, the ten offers, the providers);
- the provider's "my offers", its first page of 50 by start (the catalog's sorted page
  with its total, then matching's counts for those 50);
- the coordinators' coverage desk (matching's coverage figures, table and charts);
- then, with ``--finder-offers`` published offers in all (5,000), the public finder's
  search, by anonymous visitors (age, municipality, free of charge; its first 20 of the
  offers that fit). The finder searches the published set it read a moment ago; its
  baseline is the cheapest call such a page could make instead, the catalog's public
  first page of 20 published offers.

The page's server time comes from the web app's ``Server-Timing`` header; the
baseline is the same API calls made directly, from the same number of clients
in the same run, in the same stages: the calls of one stage concurrently, a
stage that needs the previous one's answer (a need's offers need its matches)
after it — no client of the APIs could make them faster. DESIGN.md's
target: p99 ≤ 50 ms and ≤ 1.5 times the direct calls. Writes var/bench/web.json.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.latency import spread
from bench.report import render_rows
from bench.servers import Kafka, Postgres, Service, on_kafka_and_postgres
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role

ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS, TARGET_RATIO = 50.0, 1.5
SCHWERTE = "05978028"
MATCHES_PER_NEED = 10
TIMING = re.compile(r"app;dur=([\d.]+)")


def offer(n: int, category: str = "language_course") -> dict[str, Any]:
    return {
        "title": {"de": f"Deutschkurs {n}" if category == "language_course" else f"Treff {n}"},
        "description": {"de": "Vormittags"},
        "category": category,
        "location": {"municipality": SCHWERTE, "address": f"Rathausstraße {n}"},
        "contact_email": "kurse@vhs.example",
        "places_available": 10,
        "start_date": f"2027-{1 + n % 12:02d}-{1 + n % 28:02d}",
    }


def need(n: int) -> dict[str, Any]:
    return {"municipality": SCHWERTE, "age": 20 + n % 40, "categories": ["language_course"],
            "case_reference": f"B-{n:05d}"}  # fmt: skip


async def populate(
    catalog: str, matching: str, codec: JwtCodec, needs: int, offers: int
) -> tuple[str, list[str]]:
    """The provider, the advisor, the offers and the needs; returns the advisor's token and
    the needs' ids in the order registered, once matching has found every match."""
    admin = {"Authorization": f"Bearer {codec.issue('ki-admin', Role.ADMIN)}"}
    token = codec.issue("adv-bench", Role.ADVISOR)
    advisor = {"Authorization": f"Bearer {token}"}
    provider = {"Authorization": f"Bearer {codec.issue('vhs-bench', Role.PROVIDER)}"}
    async with httpx.AsyncClient(timeout=30) as client:
        for path, body in (
            ("/v1/providers", {"id": "vhs-bench", "name": "VHS Bench",
                               "contact_email": "info@vhs.example"}),
            ("/v1/advisors", {"id": "adv-bench", "name": "Bench Advisor",
                              "email": "bench@ki.example", "organisation": "KI",
                              "notifications": {"mode": "daily_digest"}}),
        ):  # fmt: skip
            (await client.post(catalog + path, json=body, headers=admin)).raise_for_status()
        for n in range(MATCHES_PER_NEED):
            answer = await client.post(f"{catalog}/v1/offers", json=offer(n), headers=provider)
            answer.raise_for_status()
        for start in range(MATCHES_PER_NEED, offers, 50):
            posted = await asyncio.gather(
                *(client.post(f"{catalog}/v1/offers", json=offer(n, "leisure"), headers=provider)
                  for n in range(start, min(start + 50, offers)))
            )  # fmt: skip
            for answer in posted:
                answer.raise_for_status()
        ids: list[str] = []
        for start in range(0, needs, 50):
            posted = await asyncio.gather(
                *(client.post(f"{catalog}/v1/needs", json=need(n), headers=advisor)
                  for n in range(start, min(start + 50, needs)))
            )  # fmt: skip
            ids += [p.raise_for_status().json()["id"] for p in posted]
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            counts = (await client.get(f"{matching}/v1/match-counts", headers=advisor)).json()
            if sum(c["active"] for c in counts) >= needs * MATCHES_PER_NEED:
                return token, ids
            await asyncio.sleep(0.5)
    raise RuntimeError("matching did not find every match within 300 s")


def finder_offer(n: int) -> dict[str, Any]:
    """Offers of every kind, age range and municipality, some free, some not."""
    kinds = ("language_course", "counselling", "leisure", "qualification", "childcare")
    places = ("05978004", "05978020", "05978024", "05978028", "05978036")
    return offer(n, kinds[n % len(kinds)]) | {
        "title": {"de": f"Angebot {n}", "ar": f"عرض {n}"} if n % 3 == 0 else {"de": f"Angebot {n}"},
        "location": {"municipality": places[n % len(places)], "address": f"Markt {n}"},
        "age_min": (0, 16, 18, 27)[n % 4], "age_max": (120, 27, 65, 99)[n % 4],
        "free_of_charge": n % 4 != 1, "fee_eur": "80.00" if n % 4 == 1 else None,
        "times_of_day": [("morning", "afternoon", "evening", "weekend")[n % 4]],
    }  # fmt: skip


async def publish_finder_offers(catalog: str, codec: JwtCodec, first: int, count: int) -> None:
    """``count`` more published offers of a second provider, for the finder's search."""
    admin = {"Authorization": f"Bearer {codec.issue('ki-admin', Role.ADMIN)}"}
    provider = {"Authorization": f"Bearer {codec.issue('awo-bench', Role.PROVIDER)}"}
    async with httpx.AsyncClient(timeout=30) as client:
        (await client.post(f"{catalog}/v1/providers", headers=admin, json={
            "id": "awo-bench", "name": "AWO Bench", "contact_email": "info@awo.example"})
         ).raise_for_status()  # fmt: skip
        for start in range(first, first + count, 50):
            posted = await asyncio.gather(
                *(client.post(f"{catalog}/v1/offers", json=finder_offer(n), headers=provider)
                  for n in range(start, min(start + 50, first + count)))
            )  # fmt: skip
            for answer in posted:
                answer.raise_for_status()


async def sign_in(web: str, account: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=web, timeout=30)
    page = await client.get("/sign-in")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no sign-in form"
    answer = await client.post(
        "/sign-in", data={"account": account, "csrf_token": found.group(1), "next": "/"}
    )
    assert answer.status_code == 303, answer.text
    return client


async def paced(
    clients: list[Any], call: Callable[[Any], Awaitable[float]], seconds: float, period: float
) -> list[float]:
    """Each client asks once every ``period`` seconds, the clients spread over the period, as
    people clicking through pages do; the milliseconds of each answer."""
    timings: list[float] = []
    begin = time.monotonic()

    async def user(n: int, client: Any) -> None:
        due = begin + period * n / len(clients)
        while due < begin + seconds:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            timings.append(await call(client))
            due += period

    await asyncio.gather(*(user(n, c) for n, c in enumerate(clients)))
    return sorted(timings)


def page_call(path: str) -> Callable[[httpx.AsyncClient], Awaitable[float]]:
    async def call(client: httpx.AsyncClient) -> float:
        answer = await client.get(path)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
        found = TIMING.search(answer.headers.get("server-timing", ""))
        assert found, "no Server-Timing"
        return float(found.group(1))

    return call


Calls = list[tuple[str, Any]]  # (url, query parameters), made concurrently
Stages = list[Calls]  # one after the other: a stage needs the answers of the one before


def direct_call(stages: Stages, token: str) -> Callable[[httpx.AsyncClient], Awaitable[float]]:
    headers = {"Authorization": f"Bearer {token}"}

    async def call(client: httpx.AsyncClient) -> float:
        started = time.perf_counter()
        for requests in stages:
            answers = await asyncio.gather(
                *(client.get(url, params=params, headers=headers) for url, params in requests)
            )
            assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
        return (time.perf_counter() - started) * 1000

    return call


async def run(
    kafka: Kafka,
    pg: Postgres,
    needs: int,
    offers: int,
    sessions: int,
    seconds: float,
    period: float,
    finder_offers: int = 5000,
) -> dict[str, Any]:
    names = ("catalog", "matching", "notifications", "web")
    await pg.create_databases(*names)
    secret = secrets.token_urlsafe(36)
    env = {
        "LOTSE_ENV": "production",
        "LOTSE_JWT_SECRET": secret,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "9",  # daily digests only: nothing is sent while this runs
        "LOTSE_LOG_LEVEL": "WARNING",
        "CATALOG_REVIEW_POLICY": "off",  # the pages over published offers, not the review
        # Every client here is 127.0.0.1: the public endpoints' per-client budget would refuse
        # the baseline's calls long before the catalog is busy.
        "CATALOG_PUBLIC_REQUESTS_PER_MINUTE": "1000000",
        "CATALOG_PUBLIC_BURST": "100000",
        **{
            f"{n.upper()}_DATABASE_URL": pg.dsn(n).replace("postgresql://", "postgresql+asyncpg://")
            for n in names
        },
    }
    services = {n: Service(n, env) for n in names[:3]}
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            await asyncio.to_thread(service.wait_ready)
        urls = {n: s.url for n, s in services.items()}
        web = Service("web", env | {"LOTSE_ENV": "development"} | {
            f"WEB_{n.upper()}_URL": url for n, url in urls.items()
        })  # fmt: skip
        services["web"] = web
        web.start()
        await asyncio.to_thread(web.wait_ready)
        codec = JwtCodec(secret)
        token, ids = await populate(urls["catalog"], urls["matching"], codec, needs, offers)
        need_id, newest = ids[0], ids[::-1]
        signed_in = {account: [await sign_in(web.url, account) for _ in range(sessions)]
                     for account in ("adv-bench", "vhs-bench", "ki-admin")}  # fmt: skip
        tokens = {"adv-bench": token,
                  "vhs-bench": codec.issue("vhs-bench", Role.PROVIDER),
                  "ki-admin": codec.issue("ki-admin", Role.ADMIN)}  # fmt: skip
        my_offers = {"provider_id": "vhs-bench", "sort": "start_date", "limit": "50",
                     "total": "true", "status": "published", "offset": "0"}  # fmt: skip
        async with httpx.AsyncClient(timeout=30) as probe:
            matches = (await probe.get(f"{urls['matching']}/v1/needs/{need_id}/matches",
                                       params={"include_ended": "true"},
                                       headers={"Authorization": f"Bearer {token}"})).json()  # fmt: skip
            first_offers = (await probe.get(f"{urls['catalog']}/v1/offers", params=my_offers,
                                            headers={"Authorization": f"Bearer {tokens['vhs-bench']}"})).json()  # fmt: skip
        offer_ids = [("id", m["offer_id"]) for m in matches] + [("limit", "10")]
        counted = [("offer_id", o["id"]) for o in first_offers["items"]]
        first_page = [("need_id", n) for n in newest[:20]]
        direct = [httpx.AsyncClient(timeout=30) for _ in range(sessions)]
        pages: dict[str, tuple[str, Callable[[Any], Awaitable[float]], Stages]] = {
            f"my needs ({needs} needs)": (
                "adv-bench",
                page_call("/needs?status=all"),
                [[(f"{urls['catalog']}/v1/needs",
                   {"newest_first": "true", "limit": "20", "offset": "0"})],
                 [(f"{urls['matching']}/v1/match-counts", first_page)]],
            ),
            f"a need with {len(matches)} matches": (
                "adv-bench",
                page_call(f"/needs/{need_id}"),
                [[(f"{urls['catalog']}/v1/needs/{need_id}", None),
                  (f"{urls['matching']}/v1/needs/{need_id}/matches", {"include_ended": "true"}),
                  (f"{urls['catalog']}/v1/providers", None)],
                 [(f"{urls['catalog']}/v1/offers", offer_ids)]],
            ),
            f"a provider's offers ({offers} offers)": (
                "vhs-bench",
                page_call("/provider/offers"),
                [[(f"{urls['catalog']}/v1/offers", my_offers)],
                 [(f"{urls['matching']}/v1/offer-match-counts", counted)]],
            ),
            f"the coverage desk ({needs} needs, {offers} offers)": (
                "ki-admin",
                page_call("/coordinator/coverage"),
                [[(f"{urls['matching']}/v1/stats/coverage", None)]],
            ),
        }  # fmt: skip
        measured: dict[str, Any] = {}
        for name, (account, page, calls) in pages.items():
            browsers = signed_in[account]
            await paced(browsers, page, min(2.0, seconds), period)  # warm up
            web_ms = await paced(browsers, page, seconds, period)
            api_ms = await paced(direct, direct_call(calls, tokens[account]), seconds, period)
            measured[name] = {"web_ms": spread(web_ms), "direct_ms": spread(api_ms),
                              "requests": len(web_ms), "direct_requests": len(api_ms)}  # fmt: skip
        await publish_finder_offers(urls["catalog"], codec, offers, max(0, finder_offers - offers))
        visitors = [httpx.AsyncClient(base_url=web.url, timeout=30) for _ in range(sessions)]
        finder = f"the finder's search ({max(offers, finder_offers)} published offers)"
        search = page_call(f"/angebote/de?age=30&municipality={SCHWERTE}&free=on")
        first_20 = [[(f"{urls['catalog']}/v1/public/offers", {"limit": "20"})]]
        await paced(visitors, search, min(2.0, seconds), period)  # warm up: the set is read
        web_ms = await paced(visitors, search, seconds, period)
        api_ms = await paced(direct, direct_call(first_20, token), seconds, period)
        measured[finder] = {"web_ms": spread(web_ms), "direct_ms": spread(api_ms),
                            "requests": len(web_ms), "direct_requests": len(api_ms)}  # fmt: skip
        for client in [c for group in signed_in.values() for c in group] + direct + visitors:
            await client.aclose()
    finally:
        for service in services.values():
            service.stop()
    return {"needs": needs, "offers": offers, "finder_offers": finder_offers, "sessions": sessions,
            "seconds": seconds, "period": period,
            "pages": measured,
            "targets": {"p99_ms": TARGET_P99_MS, "ratio": TARGET_RATIO}}  # fmt: skip


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    table = []
    for name, figures in result["pages"].items():
        web, direct = figures["web_ms"], figures["direct_ms"]
        ratio = web["p99"] / direct["p99"]
        met = web["p99"] <= TARGET_P99_MS and ratio <= TARGET_RATIO
        table.append((
            f"web: {name}, p50 / p99, {result['sessions']} sessions, one page per {result['period']:g} s",
            f"{web['p50']:.1f} / {web['p99']:.1f} ms",
            f"p99 ≤50 ms, ≤1.5x {'met' if met else 'MISSED'}",
            f"{direct['p50']:.1f} / {direct['p99']:.1f} ms the API calls direct",
            f"{ratio:.2f}",
        ))  # fmt: skip
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--offers", type=int, default=500)
    parser.add_argument("--finder-offers", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--period", type=float, default=1.0, help="seconds between a session's pages"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="50 needs, 60 offers (200 in the finder), 4 sessions, 2 s",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "web.json")
    args = parser.parse_args(argv)
    needs, offers, finder_offers, sessions, seconds = (
        (50, 60, 200, 4, 2.0)
        if args.quick
        else (args.needs, args.offers, args.finder_offers, args.sessions, args.seconds)
    )
    result = on_kafka_and_postgres(
        ", the three services and the web app",
        lambda kafka, pg: run(
            kafka, pg, needs, offers, sessions, seconds, args.period, finder_offers
        ),
        args.json,
    )
    print(render_rows(rows(result)))
    print("server time from the web app's Server-Timing header; baseline: the same API calls in the same stages, "
          "from as many clients at the same pace; ratio = p99 web ÷ p99 direct")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
