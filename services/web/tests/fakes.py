"""A stand-in for the catalog, matching and notifications APIs, held in memory.

It answers the calls the web app makes, the way the real APIs answer them
(problem details, ETags, 404 for what is not the caller's), and records every
call so a test can check that nothing was sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response

from lotse_shared.auth import JwtCodec
from services.web.tests.fakes_coordinator import add_coordinator_endpoints

SECRET = "web-tests-signing-key-0123456789-0123456789"
CODEC = JwtCodec(SECRET)
SCHWERTE = "05978028"


def problem(status: int, title: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def offer(offer_id: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": offer_id,
        "provider_id": "vhs-schwerte",
        "title": {"de": title},
        "description": {"de": "Kurs am Vormittag"},
        "category": "language_course",
        "location": {"municipality": SCHWERTE, "address": "Rathausstraße 31"},
        "delivery_mode": "in_person",
        "contact_email": "kurse@vhs-schwerte.example",
        "status": "published",
        "places_available": 4,
        "version": 1,
        "updated_at": "2026-12-01T09:00:00+00:00",
    } | extra


@dataclass
class FakeApis:
    needs: dict[str, dict[str, Any]] = field(default_factory=dict)
    matches: dict[str, dict[str, Any]] = field(default_factory=dict)
    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    advisors: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "adv-1": {"id": "adv-1", "name": "Aylin Demir", "email": "a.demir@ki.example",
                      "organisation": "KI Kreis Unna", "language": "de", "active": True,
                      "notifications": {"mode": "immediate", "digest_hour": 8, "min_score": 0.0},
                      "version": 1},
            "adv-2": {"id": "adv-2", "name": "Jonas Becker", "email": "j.becker@mbe.example",
                      "organisation": "MBE Unna", "language": "en", "active": True,
                      "notifications": {"mode": "immediate", "digest_hour": 8, "min_score": 0.0},
                      "version": 1},
        }
    )  # fmt: skip
    providers: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "vhs-schwerte", "name": "VHS Schwerte", "active": True}]
    )
    calls: list[tuple[str, str]] = field(default_factory=list)
    down: set[str] = field(default_factory=set)  # path prefixes that answer 503
    invalid: list[dict[str, str]] | None = None  # the next write answers 422 with these
    # The coordinators' figures: raw counts, suppressed on the way out as matching does.
    coverage: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # coverage_days rows
    suppress: bool = True  # False: an API that forgot to suppress, to test the web app alone

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] in ("POST", "PUT", "PATCH", "DELETE")]

    def add_need(self, advisor: str, **extra: Any) -> dict[str, Any]:
        need_id = str(uuid.uuid4())
        need = {
            "id": need_id, "reference": f"UNN-{need_id[:6].upper()}", "advisor_id": advisor,
            "case_reference": "MBE-2026-0001", "municipality": SCHWERTE, "age": 34,
            "languages": ["ar"], "german_level": "A1", "literacy": "latin",
            "residence_status": None, "categories": ["language_course"], "times_of_day": [],
            "childcare_needed": False, "barrier_free_needed": False, "max_travel_km": 10.0,
            "earliest_start": None, "status": "open", "expires_on": "2027-06-01", "version": 1,
            "updated_at": datetime.now(UTC).isoformat(),
        } | extra  # fmt: skip
        self.needs[need_id] = need
        return need

    def add_match(self, need: dict[str, Any], offer_body: dict[str, Any], **extra: Any) -> str:
        self.offers[offer_body["id"]] = offer_body
        match_id = str(uuid.uuid4())
        self.matches[match_id] = {
            "id": match_id, "need_id": need["id"], "offer_id": offer_body["id"],
            "status": "active", "score": 0.82, "eligibility": "eligible",
            "reasons": [{"code": "category", "de": "Gewünschte Art: Sprachkurs",
                         "en": "Wanted kind: language course"}],
            "found_at": datetime.now(UTC).isoformat(), "invalidated_at": None,
            "invalidation_reason": None, "decision": None, "decline_reason": None,
            "decided_at": None,
        } | extra  # fmt: skip
        return match_id


def build(apis: FakeApis) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        apis.calls.append((request.method, request.url.path))
        if any(request.url.path.startswith(p) for p in apis.down):
            return problem(503, "Service unavailable")
        return await call_next(request)  # type: ignore[no-any-return]

    def caller(request: Request) -> tuple[str, str]:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        principal = CODEC.verify(token)
        return principal.sub, principal.role.value

    def refused_write() -> JSONResponse | None:
        if apis.invalid is not None:
            errors, apis.invalid = apis.invalid, None
            return problem(422, "Invalid request", errors)
        return None

    def own_need(request: Request, need_id: str) -> dict[str, Any] | None:
        sub, _ = caller(request)
        need = apis.needs.get(need_id)
        return need if need is not None and need["advisor_id"] == sub else None

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/providers")
    async def providers(request: Request) -> Any:
        caller(request)
        return apis.providers

    @app.get("/v1/advisors")
    async def advisors(request: Request) -> Any:
        caller(request)
        return list(apis.advisors.values())

    @app.get("/v1/advisors/{advisor_id}")
    async def advisor(request: Request, advisor_id: str) -> Response:
        sub, _ = caller(request)
        found = apis.advisors.get(advisor_id)
        if found is None or (sub != advisor_id and caller(request)[1] != "admin"):
            return problem(404, "Not found")
        return JSONResponse(found, headers={"ETag": f'"{found["version"]}"'})

    @app.patch("/v1/advisors/{advisor_id}/preferences")
    async def preferences(
        request: Request, advisor_id: str, if_match: str = Header(default="")
    ) -> Response:
        found = apis.advisors[advisor_id]
        if refused := refused_write():
            return refused
        if if_match != f'"{found["version"]}"':
            return problem(412, "Precondition failed")
        body = await request.json()
        found["notifications"] = found["notifications"] | body.get("notifications", {})
        found["language"] = body.get("language", found["language"])
        found["version"] += 1
        return JSONResponse(found)

    @app.get("/v1/needs")
    async def list_needs(
        request: Request, status: str | None = None, limit: int = 500, offset: int = 0
    ) -> Any:
        sub, _ = caller(request)
        found = [n for n in apis.needs.values() if n["advisor_id"] == sub]
        found = [n for n in found if status is None or n["status"] == status]
        found.sort(key=lambda n: n["updated_at"], reverse=True)
        return {"items": found[offset : offset + limit], "total": len(found)}

    @app.post("/v1/needs")
    async def register(request: Request) -> Response:
        sub, _ = caller(request)
        if refused := refused_write():
            return refused
        body = await request.json()
        need = apis.add_need(sub, **body)
        return JSONResponse(need, status_code=201)

    @app.get("/v1/needs/{need_id}")
    async def one_need(request: Request, need_id: str) -> Response:
        need = own_need(request, need_id)
        if need is None:
            return problem(404, "Not found")
        return JSONResponse(need, headers={"ETag": f'"{need["version"]}"'})

    @app.put("/v1/needs/{need_id}")
    async def replace(
        request: Request, need_id: str, if_match: str = Header(default="")
    ) -> Response:
        need = own_need(request, need_id)
        if need is None:
            return problem(404, "Not found")
        if refused := refused_write():
            return refused
        if if_match != f'"{need["version"]}"':
            return problem(412, "Precondition failed")
        need.update(await request.json())
        need["version"] += 1
        return JSONResponse(need)

    @app.post("/v1/needs/{need_id}/close")
    async def close(request: Request, need_id: str) -> Response:
        need = own_need(request, need_id)
        if need is None:
            return problem(404, "Not found")
        need["status"], need["version"] = "closed", need["version"] + 1
        return JSONResponse(need)

    @app.delete("/v1/needs/{need_id}")
    async def erase(request: Request, need_id: str) -> Response:
        if own_need(request, need_id) is None:
            return problem(404, "Not found")
        del apis.needs[need_id]
        return Response(status_code=204)

    @app.get("/v1/offers")
    async def list_offers(request: Request) -> Any:
        caller(request)
        ids = request.query_params.getlist("id")
        found = [o for o in apis.offers.values() if not ids or o["id"] in ids]
        for name in ("provider_id", "status"):
            if wanted := request.query_params.get(name):
                found = [o for o in found if o.get(name) == wanted]
        total = len(found) if request.query_params.get("total") == "true" else None
        return {"items": found, "next_cursor": None, "total": total}

    @app.get("/v1/offers/{offer_id}")
    async def one_offer(request: Request, offer_id: str) -> Response:
        caller(request)
        if offer_id not in apis.offers:
            return problem(404, "Not found")
        return JSONResponse(apis.offers[offer_id])

    @app.get("/v1/needs/{need_id}/matches")
    async def need_matches(request: Request, need_id: str) -> Response:
        if own_need(request, need_id) is None:
            return problem(404, "Not found")
        found = [m for m in apis.matches.values() if m["need_id"] == need_id]
        return JSONResponse(sorted(found, key=lambda m: (m["status"] != "active", -m["score"])))

    @app.get("/v1/matches/{match_id}")
    async def one_match(request: Request, match_id: str) -> Response:
        match = apis.matches.get(match_id)
        if match is None or own_need(request, match["need_id"]) is None:
            return problem(404, "Not found")
        return JSONResponse(match)

    @app.post("/v1/matches/{match_id}/decision")
    async def decide(request: Request, match_id: str) -> Response:
        match = apis.matches.get(match_id)
        if match is None or own_need(request, match["need_id"]) is None:
            return problem(404, "Not found")
        body = await request.json()
        match["decision"], match["decline_reason"] = body["decision"], body.get("decline_reason")
        if body["decision"] == "declined":
            match["status"] = "declined"
        return JSONResponse(match)

    @app.get("/v1/match-counts")
    async def counts(request: Request, since: datetime | None = None) -> Any:
        sub, _ = caller(request)
        wanted = request.query_params.getlist("need_id")
        rows = []
        for need in (n for n in apis.needs.values() if n["advisor_id"] == sub):
            if need["id"] not in wanted:
                continue
            active = [m for m in apis.matches.values()
                      if m["need_id"] == need["id"] and m["status"] == "active"]  # fmt: skip
            new = [m for m in active if since and datetime.fromisoformat(m["found_at"]) > since]
            rows.append({"need_id": need["id"], "active": len(active), "new": len(new)})
        return rows

    @app.get("/v1/notifications")
    async def deliveries(request: Request) -> Any:
        sub, _ = caller(request)
        return [d for d in apis.deliveries if d["advisor_id"] == sub]

    add_coordinator_endpoints(app, apis, caller, refused_write, problem)
    return app


def today() -> date:
    return datetime.now(UTC).date()
