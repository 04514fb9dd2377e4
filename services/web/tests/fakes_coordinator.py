"""The fake APIs' endpoints behind the coordinators' desk: directory, coverage, deliveries.

They answer as the real ones do: admin only (a 403 problem for other roles), a
409 for an id taken, need counts of 1 to 4 as "< 5" everywhere, the CSV included,
history summed per week, a total with hidden parts told only from what they show.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

if TYPE_CHECKING:
    from services.web.tests.fakes import FakeApis

NEEDS = ("open_needs", "needs_without_match")
FIGURES = (*NEEDS, "published_offers", "free_places")
COLUMNS = ["municipality", "municipality_name", "category", *FIGURES]


def suppressed(row: dict[str, Any], on: bool = True) -> dict[str, Any]:
    if not on:
        return dict(row)
    return row | {n: "< 5" if isinstance(row.get(n), int) and 1 <= row[n] <= 4 else row.get(n)
                  for n in NEEDS}  # fmt: skip


def add_coordinator_endpoints(
    app: FastAPI,
    apis: FakeApis,
    caller: Callable[[Request], tuple[str, str]],
    refused_write: Callable[[], JSONResponse | None],
    problem: Callable[..., JSONResponse],
) -> None:
    def admin(request: Request) -> JSONResponse | None:
        return None if caller(request)[1] == "admin" else problem(403, "Forbidden")

    def providers() -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in apis.providers}

    async def write(request: Request, table: str, entry_id: str | None) -> Response:
        if refused := admin(request) or refused_write():
            return refused
        entries = providers() if table == "providers" else apis.advisors
        body = await request.json()
        if entry_id is None:  # register
            new_id = body.pop("id", None) or f"{table[:3]}-{len(entries) + 1}"
            if new_id in entries:
                return problem(409, "Conflict")
            entry = {"id": new_id, "active": True, "version": 1} | body
            if table == "providers":
                apis.providers.append(entry)
            else:
                apis.advisors[new_id] = entry
            return JSONResponse(entry, status_code=201)
        if entry_id not in entries:
            return problem(404, "Not found")
        entry = entries[entry_id]
        for name, value in body.items():  # a merge patch: null removes
            if value is None:
                entry.pop(name, None)
            else:
                entry[name] = value
        entry["version"] += 1
        return JSONResponse(entry)

    @app.get("/v1/providers/{provider_id}")
    async def one_provider(request: Request, provider_id: str) -> Response:
        caller(request)
        found = providers().get(provider_id)
        return JSONResponse(found) if found else problem(404, "Not found")

    @app.post("/v1/providers")
    async def register_provider(request: Request) -> Response:
        return await write(request, "providers", None)

    @app.patch("/v1/providers/{provider_id}")
    async def change_provider(request: Request, provider_id: str) -> Response:
        return await write(request, "providers", provider_id)

    @app.post("/v1/advisors")
    async def register_advisor(request: Request) -> Response:
        return await write(request, "advisors", None)

    @app.patch("/v1/advisors/{advisor_id}")
    async def change_advisor(request: Request, advisor_id: str) -> Response:
        return await write(request, "advisors", advisor_id)

    def deactivate(request: Request, entry: dict[str, Any] | None) -> Response:
        if refused := admin(request):
            return refused
        if entry is None:
            return problem(404, "Not found")
        if not entry.get("active", True):
            return problem(409, "Conflict")
        entry["active"], entry["version"] = False, entry.get("version", 1) + 1
        return JSONResponse(entry)

    @app.delete("/v1/providers/{provider_id}")
    async def deactivate_provider(request: Request, provider_id: str) -> Response:
        answer = deactivate(request, providers().get(provider_id))
        if answer.status_code == 200:
            for offer in apis.offers.values():
                if offer["provider_id"] == provider_id and offer["status"] == "published":
                    offer["status"] = "withdrawn"
        return answer

    @app.delete("/v1/advisors/{advisor_id}")
    async def deactivate_advisor(request: Request, advisor_id: str) -> Response:
        return deactivate(request, apis.advisors.get(advisor_id))

    @app.get("/v1/stats/coverage")
    async def coverage(
        request: Request, format: str = "json", category: str | None = None
    ) -> Response:
        if refused := admin(request):
            return refused
        rows = [suppressed(r, apis.suppress) for r in apis.coverage
                if category is None or r["category"] == category]  # fmt: skip
        if format == "json":
            return JSONResponse(rows)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return PlainTextResponse(out.getvalue(), media_type="text/csv")

    @app.get("/v1/stats/coverage/history")
    async def history(
        request: Request,
        weeks: int = 12,
        by: str = "municipality",
        category: str | None = None,
        municipality: str | None = None,
    ) -> Response:
        if refused := admin(request):
            return refused
        return JSONResponse(history_of(apis, weeks, by, category, municipality))

    @app.get("/v1/delivery-problems")
    async def delivery_problems(request: Request, days: int = 30) -> Response:
        if refused := admin(request):
            return refused
        return JSONResponse(problems_of(apis.deliveries, days))


def total(figure: str, parts: list[int]) -> int | str:
    """As matching adds up: a total of needs with hidden parts is "≥ N", told from the parts."""
    if figure not in ("open_needs", "needs_without_match"):
        return sum(parts)
    hidden = sum(1 for n in parts if 1 <= n <= 4)
    shown = sum(n for n in parts if not 1 <= n <= 4)
    if not hidden:
        return shown
    return "< 5" if hidden == 1 and shown == 0 else f"≥ {shown + hidden}"


def history_of(apis: FakeApis, weeks: int, by: str, category: str | None,
               municipality: str | None) -> dict[str, Any]:  # fmt: skip
    today = datetime.now(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    rows = [r for r in apis.snapshots if (category is None or r["category"] == category)
            and (municipality is None or r["municipality"] == municipality)]  # fmt: skip
    keys = sorted({r[by if by == "category" else "municipality"] for r in rows})
    names = {r["municipality"]: r.get("municipality_name", r["municipality"]) for r in rows}
    series = []
    for key in keys:
        points = []
        for monday in mondays:
            in_week = [r for r in rows if monday <= date.fromisoformat(r["day"]) < monday
                       + timedelta(days=7)]  # fmt: skip
            day = max((r["day"] for r in in_week), default=None)
            mine = [r for r in in_week if r["day"] == day
                    and r[by if by == "category" else "municipality"] == key]  # fmt: skip
            sums: dict[str, Any] = {f: (total(f, [r[f] for r in mine]) if day else None)
                                    for f in FIGURES}  # fmt: skip
            point = {"week": monday.isoformat(), "day": day} | sums
            points.append(point)
        name = key if by == "category" else names[key]
        series.append({"key": key, "name": name, "points": points})
    return {"by": by, "weeks": [m.isoformat() for m in mondays], "series": series}


def problems_of(deliveries: list[dict[str, Any]], days: int) -> dict[str, Any]:
    since = datetime.now(UTC) - timedelta(days=days)
    recent = [d for d in deliveries if datetime.fromisoformat(d["created_at"]) >= since]
    failed = sorted((d for d in recent if d["status"] == "failed"),
                    key=lambda d: d["created_at"], reverse=True)[:100]  # fmt: skip
    advisors: dict[str, dict[str, Any]] = {}
    for d in recent:
        retrying = d["status"] == "pending" and d["attempts"] >= 1
        if d["status"] != "failed" and not retrying:
            continue
        row = advisors.setdefault(d["advisor_id"], {"advisor_id": d["advisor_id"], "failed": 0,
                                  "retrying": 0, "last_error": None, "last_failed_at": None})  # fmt: skip
        row["retrying" if retrying else "failed"] += 1
        if d["status"] == "failed" and (row["last_failed_at"] or "") < d["created_at"]:
            row["last_error"], row["last_failed_at"] = d["last_error"], d["created_at"]
    ranked = sorted(advisors.values(), key=lambda r: -r["failed"])
    return {"failed": failed, "advisors": ranked}
