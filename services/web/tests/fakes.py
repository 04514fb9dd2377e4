"""A stand-in for the catalog, matching and notifications APIs, held in memory.

It answers the calls the web app makes, the way the real APIs answer them
(problem details, ETags, 404 for what is not the caller's), and records every
call so a test can check that nothing was sent.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Principal
from services.web.tests.fakes_coordinator import add_coordinator_endpoints
from services.web.tests.fakes_finder import add_public_endpoints
from services.web.tests.fakes_review import install_review_desk, keep_for_review

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
        default_factory=lambda: [
            {"id": "vhs-schwerte", "name": "VHS Schwerte", "active": True,
             "contact_email": "kurse@vhs-schwerte.example"},
            {"id": "awo-unna", "name": "AWO Unna", "active": True,
             "contact_email": "integration@awo-unna.example"},
        ]
    )  # fmt: skip
    calls: list[tuple[str, str]] = field(default_factory=list)
    queries: list[tuple[str, str]] = field(default_factory=list)  # (path, query string) per call
    down: set[str] = field(default_factory=set)  # path prefixes that answer 503
    invalid: list[dict[str, str]] | None = None  # the next write answers 422 with these
    # The coordinators' figures: raw counts, suppressed on the way out as matching does.
    coverage: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # coverage_days rows
    suppress: bool = True  # False: an API that forgot to suppress, to test the web app alone
    # How the APIs check a bearer token: the local key, or a (fake) issuer's keys.
    verify: Callable[[str], Principal] = CODEC.verify
    tokens: list[str] = field(default_factory=list)  # the bearer token of every call
    # The review: on, providers' new offers and changes wait as drafts (202).
    reviewing: bool = False
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reset(self) -> None:
        """Back to a fresh start in place, so that the app built over these serves the next test."""
        fresh = FakeApis()
        for each in fields(self):
            setattr(self, each.name, getattr(fresh, each.name))

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
        apis.queries.append((request.url.path, request.url.query))
        if any(request.url.path.startswith(p) for p in apis.down):
            return problem(503, "Service unavailable")
        return await call_next(request)  # type: ignore[no-any-return]

    def caller(request: Request) -> tuple[str, str]:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        apis.tokens.append(token)
        principal = apis.verify(token)
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
        return offer_page(apis, request.query_params)

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

    install_offer_desk(app, apis, caller, refused_write)
    install_review_desk(app, apis, caller)

    add_coordinator_endpoints(app, apis, caller, refused_write, problem)
    add_public_endpoints(app, apis)
    return app


def today() -> date:
    return datetime.now(UTC).date()


# The providers' desk: the catalog's offer writes, validation and import, and matching's
# counts per offer — as /work/tools/api-13.md and the catalog's routes answer them.

OFFER_DEFAULTS: dict[str, Any] = {
    "subcategory": None, "delivery_mode": "in_person", "service_area": [], "age_min": 0,
    "age_max": 120, "german_level_min": "A0", "german_level_max": "C2",
    "requires_latin_literacy": False, "target_groups": [], "residence_statuses": [],
    "entitlement_required": None, "languages_of_instruction": ["de"], "support_languages": [],
    "times_of_day": [], "start_date": None, "end_date": None, "rolling_start": False,
    "application_deadline": None, "places_total": None, "places_available": None,
    "waitlist": False, "free_of_charge": True, "fee_eur": None, "childcare": False,
    "barrier_free": False, "how_to_apply": None,
}  # fmt: skip
WHOLE_NUMBERS = ("age_min", "age_max", "places_total", "places_available")
CATEGORIES = ("integration_course", "language_course", "vocational_language_course",
              "school_place", "vocational_training", "recognition", "counselling",
              "qualification", "leisure", "childcare")  # fmt: skip
DISTRICT = {f"059780{n:02d}" for n in range(4, 41, 4)}
TEMPLATE_CSV = (
    "category;contact_email;description_de;municipality;title_de\n"
    "language_course;kurse@vhs.example;Kurs am Vormittag;05978028;Deutschkurs A1\n"
)


def offer_problems(body: dict[str, Any]) -> list[dict[str, str]]:
    """The catalog's checks that the desk's tests need, with the catalog's fields and words."""
    found = []
    for texts in ("title", "description"):
        if "de" not in (body.get(texts) or {}):
            found.append(
                {"field": texts, "reason": "Value error, a German text ('de') is required"}
            )
    if body.get("category") not in CATEGORIES:
        found.append({"field": "category", "reason": "Input should be 'integration_course', "
                      "'language_course' or 'childcare'" if body.get("category") else
                      "Field required"})  # fmt: skip
    municipality = (body.get("location") or {}).get("municipality")
    if municipality is None:
        found.append({"field": "location.municipality", "reason": "Field required"})
    elif municipality not in DISTRICT:
        found.append({"field": "location.municipality",
                      "reason": f"{municipality} is not a municipality of Kreis Unna"})  # fmt: skip
    if "@" not in str(body.get("contact_email", "")):
        found.append({"field": "contact_email", "reason": "value is not a valid email address: "
                      "An email address must have an @-sign."})  # fmt: skip
    for name in WHOLE_NUMBERS:
        value = body.get(name)
        if value is None:
            continue
        if not str(value).isdigit():
            reason = ("Input should be greater than or equal to 0" if str(value).startswith("-")
                      else "Input should be a valid integer, unable to parse string as an integer")  # fmt: skip
            found.append({"field": name, "reason": reason})
    total, free = body.get("places_total"), body.get("places_available")
    if not found and total is not None and free is not None and int(free) > int(total):
        found.append({"field": "body", "reason": "Value error, places_available must not "
                      "exceed places_total"})  # fmt: skip
    return found


def stored_details(body: dict[str, Any]) -> dict[str, Any]:
    details = OFFER_DEFAULTS | {k: v for k, v in body.items() if k != "provider_id"}
    for name in WHOLE_NUMBERS:
        if details[name] is not None:
            details[name] = int(details[name])
    return details


def offer_page(apis: FakeApis, query: Any) -> dict[str, Any]:
    ids = query.getlist("id")
    found = [o for o in apis.offers.values() if not ids or o["id"] in ids]
    for name in ("provider_id", "status", "category"):
        if query.get(name):
            found = [o for o in found if o.get(name) == query[name]]
    if query.get("start_from") or query.get("start_until"):
        low, high = query.get("start_from") or "0000", query.get("start_until") or "9999"
        found = [o for o in found if o.get("start_date") and low <= o["start_date"] <= high]
    sort = query.get("sort", "updated")
    if sort == "title":
        found.sort(key=lambda o: (o["title"]["de"].lower(), o["id"]))
    elif sort in ("start_date", "-start_date"):
        dated = sorted((o for o in found if o.get("start_date")),
                       key=lambda o: (o["start_date"], o["id"]), reverse=sort[0] == "-")  # fmt: skip
        found = dated + sorted((o for o in found if not o.get("start_date")),
                               key=lambda o: o["id"])  # fmt: skip
    else:
        found.sort(key=lambda o: (o["updated_at"], o["id"]))
    limit = int(query.get("limit", 50))
    start = int(query.get("cursor") or 0) if sort == "updated" else int(query.get("offset", 0))
    more = start + limit < len(found)
    body: dict[str, Any] = {
        "items": found[start : start + limit],
        "next_cursor": str(start + limit) if sort == "updated" and more else None,
    }
    if query.get("total") == "true":
        body["total"] = len(found)
    return body


def rows_of(body: bytes, media_type: str) -> list[dict[str, Any]]:
    if media_type == "application/json":
        return list(json.loads(body))
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    rows = []
    for record in csv.DictReader(io.StringIO(text), delimiter=delimiter):
        row: dict[str, Any] = {}
        for column, value in record.items():
            if not value:
                continue
            if column in ("title_de", "description_de"):
                row.setdefault(column.split("_")[0], {})["de"] = value
            elif column == "municipality":
                row["location"] = {"municipality": value}
            else:
                row[column] = value
        rows.append(row)
    return rows


def install_offer_desk(app: FastAPI, apis: FakeApis, caller: Any, refused_write: Any) -> None:
    def owned(request: Request, offer_id: str) -> tuple[dict[str, Any] | None, Response | None]:
        sub, _ = caller(request)
        found = apis.offers.get(offer_id)
        if found is None:
            return None, problem(404, "Not found")
        if found["provider_id"] != sub:
            return None, problem(403, "Forbidden")
        return found, None

    def revised(found: dict[str, Any], if_match: str) -> Response | None:
        if if_match != f'"{found["version"]}"':
            return problem(412, "Precondition failed")
        if found["status"] == "withdrawn":
            return problem(409, "Conflict")
        return None

    def touch(found: dict[str, Any]) -> JSONResponse:
        found["version"] += 1
        found["updated_at"] = datetime.now(UTC).isoformat()
        return JSONResponse(found, headers={"ETag": f'"{found["version"]}"'})

    @app.post("/v1/offers/validate")
    async def validate(request: Request) -> Response:
        sub, _ = caller(request)
        body = await request.json()
        if refused := refused_write():
            return refused
        if errors := offer_problems(body):
            return problem(422, "Invalid request", errors)
        return JSONResponse({"details": stored_details(body), "provider_id": sub})

    @app.post("/v1/offers")
    async def publish(request: Request) -> Response:
        sub, _ = caller(request)
        body = await request.json()
        if refused := refused_write():
            return refused
        if errors := offer_problems(body):
            return problem(422, "Invalid request", errors)
        if apis.reviewing:
            return keep_for_review(apis, str(uuid.uuid4()), sub, stored_details(body))
        created = stored_details(body) | {
            "id": str(uuid.uuid4()), "provider_id": sub, "status": "published", "version": 1,
            "updated_at": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        apis.offers[created["id"]] = created
        return JSONResponse(created, status_code=201, headers={"ETag": '"1"'})

    @app.put("/v1/offers/{offer_id}")
    async def replace(
        request: Request, offer_id: str, if_match: str = Header(default="")
    ) -> Response:
        body = await request.json()
        if errors := offer_problems(body):
            return problem(422, "Invalid request", errors)
        review = apis.reviews.get(offer_id)
        if review is not None and offer_id not in apis.offers:  # a draft never published
            if if_match != f'"{review["version"]}"':
                return problem(412, "Precondition failed")
            return keep_for_review(apis, offer_id, review["provider_id"], stored_details(body))
        found, refused = owned(request, offer_id)
        if found is None:
            return refused  # type: ignore[return-value]
        if refused := refused_write() or revised(found, if_match):
            return refused
        if apis.reviewing:
            return keep_for_review(apis, offer_id, found["provider_id"], stored_details(body))
        found.update(stored_details(body))
        return touch(found)

    @app.patch("/v1/offers/{offer_id}")
    async def patch(
        request: Request, offer_id: str, if_match: str = Header(default="")
    ) -> Response:
        caller(request)
        current = apis.offers.get(offer_id)
        if current is None:
            return problem(404, "Not found")
        merged = current | await request.json()
        if errors := offer_problems(merged):
            return problem(422, "Invalid request", errors)
        found, refused = owned(request, offer_id)
        if found is None:
            return refused  # type: ignore[return-value]
        if refused := refused_write() or revised(found, if_match):
            return refused
        found.update(stored_details(merged))
        return touch(found)

    @app.delete("/v1/offers/{offer_id}")
    async def withdraw(
        request: Request, offer_id: str, if_match: str = Header(default="")
    ) -> Response:
        found, refused = owned(request, offer_id)
        if found is None:
            return refused  # type: ignore[return-value]
        if refused := revised(found, if_match):
            return refused
        found["status"] = "withdrawn"
        return touch(found)

    @app.post("/v1/offers/import")
    async def import_offers(request: Request, mode: str = "all_or_nothing") -> Response:
        sub, _ = caller(request)
        media_type = request.headers.get("content-type", "").split(";")[0]
        if media_type not in ("text/csv", "application/json"):
            return problem(422, "Invalid request",
                           [{"field": "content-type", "reason": "send application/json or text/csv"}])  # fmt: skip
        rows = rows_of(await request.body(), media_type)
        failed = [
            {"row": n, "errors": e} for n, r in enumerate(rows, 1) if (e := offer_problems(r))
        ]
        if failed and mode == "all_or_nothing":
            body = {"type": "about:blank", "title": "Invalid import", "status": 422,
                    "detail": f"{len(failed)} of {len(rows)} rows are invalid", "rows": failed}  # fmt: skip
            return JSONResponse(body, status_code=422, media_type="application/problem+json")
        bad = {f["row"] for f in failed}
        created = []
        for n, row in enumerate(rows, 1):
            if n not in bad:
                offer_id = str(uuid.uuid4())
                apis.offers[offer_id] = stored_details(row) | {
                    "id": offer_id, "provider_id": sub, "status": "published", "version": 1,
                    "updated_at": datetime.now(UTC).isoformat(),
                }  # fmt: skip
                created.append(offer_id)
        return JSONResponse({"created": created, "failed": failed},
                            status_code=200 if failed else 201)  # fmt: skip

    @app.get("/v1/offers/import/template.csv")
    async def template(request: Request) -> Response:
        caller(request)
        return Response(TEMPLATE_CSV, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="lotse-angebote-vorlage.csv"'})  # fmt: skip

    @app.get("/v1/offer-match-counts")
    async def offer_counts(request: Request) -> Response:
        sub, _ = caller(request)
        wanted = request.query_params.getlist("offer_id")
        if not 1 <= len(wanted) <= 200:
            return problem(422, "Invalid request", [{"field": "offer_id", "reason": "1 to 200"}])
        rows = []
        for offer_id in wanted:
            found = apis.offers.get(offer_id)
            if found is None or found["provider_id"] != sub:
                continue
            theirs = [m for m in apis.matches.values() if m["offer_id"] == offer_id]
            rows.append({
                "offer_id": offer_id,
                "active": sum(m["status"] == "active" for m in theirs),
                "accepted": sum(m.get("decision") == "accepted" for m in theirs),
                "declined": sum(m.get("decision") == "declined" for m in theirs),
            })  # fmt: skip
        return JSONResponse(rows)
