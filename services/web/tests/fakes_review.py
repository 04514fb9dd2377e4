"""The catalog's review and problem reports, held in memory for the web app's tests.

It keeps the rules the desks show as words: only admins decide, never on a
revision they submitted (403); only the revision waiting (409); a comment unless
approved (422); a note with an email address is refused (422 naming ``note``);
a report is decided once (409). Approval publishes into the fake's offers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response

__all__ = ["install_review_desk", "keep_for_review"]

Json = dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _flat(details: Json | None) -> Json:
    flat: Json = {}
    for name, value in (details or {}).items():
        if isinstance(value, dict):
            flat.update({f"{name}.{key}": inner for key, inner in value.items()})
        else:
            flat[name] = value
    return flat


def _changes(before: Json | None, after: Json) -> list[Json]:
    old, new = _flat(before), _flat(after)
    return [{"field": name, "before": old.get(name), "after": new.get(name)}
            for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name)]  # fmt: skip


def _details(offer: Json) -> Json:
    return {k: v for k, v in offer.items()
            if k not in ("id", "provider_id", "status", "version", "updated_at")}  # fmt: skip


def keep_for_review(apis: Any, offer_id: str, provider_id: str, details: Json) -> JSONResponse:
    """A new offer or a change kept as a draft: 202 with the offer's review."""
    review = apis.reviews.get(offer_id)
    if review is None:
        review = {"offer_id": offer_id, "provider_id": provider_id, "state": "draft",
                  "version": 0, "draft": None, "pending": None, "last_decision": None,
                  "revisions": []}  # fmt: skip
        apis.reviews[offer_id] = review
    if review["pending"] is not None:  # a change pulls the waiting revision back
        review["pending"]["state"] = "superseded"
        review["pending"] = None
    review.update(draft=details, state="draft", version=review["version"] + 1)
    return _answer(apis, review, 202)


def _public(apis: Any, review: Json) -> Json:
    published = apis.offers.get(review["offer_id"])
    live = published if published and published["status"] == "published" else None
    working = review["draft"] or (review["revisions"][-1]["details"] if review["revisions"]
                                  else None)  # fmt: skip
    return {
        "offer_id": review["offer_id"], "provider_id": review["provider_id"],
        "state": review["state"], "version": review["version"],
        "published_version": live["version"] if live else None,
        "title": (working or (live and _details(live)) or {}).get("title", {}).get("de", ""),
        "draft": review["draft"], "working_copy": working, "pending": review["pending"],
        "last_decision": review["last_decision"], "updated_at": _now(),
    }  # fmt: skip


def _answer(apis: Any, review: Json, status: int = 200) -> JSONResponse:
    return JSONResponse(_public(apis, review), status_code=status,
                        headers={"ETag": f'"{review["version"]}"'})  # fmt: skip


def _problem(status: int, title: str, errors: list[Json] | None = None) -> JSONResponse:
    body: Json = {"type": "about:blank", "title": title, "status": status}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install_review_desk(app: FastAPI, apis: Any, caller: Any) -> None:
    def reviewable(request: Request, offer_id: str) -> tuple[Json | None, Response | None]:
        sub, role = caller(request)
        review = apis.reviews.get(offer_id)
        if review is None:
            return None, _problem(404, "Not found")
        if role != "admin" and review["provider_id"] != sub:
            return None, _problem(404, "Not found")
        return review, None

    @app.get("/v1/reviews")
    async def reviews(request: Request, state: str | None = None, limit: int = 50) -> Any:
        sub, role = caller(request)
        if role == "admin":
            found = [r for r in apis.reviews.values() if r["state"] == (state or "submitted")]
        else:
            found = [r for r in apis.reviews.values() if r["provider_id"] == sub
                     and (state is None or r["state"] == state)]  # fmt: skip
        return {"items": [_public(apis, r) for r in found][:limit], "total": len(found),
                "offers_reviewed": None if role == "admin" else apis.reviewing}  # fmt: skip

    @app.get("/v1/offers/{offer_id}/review")
    async def one_review(request: Request, offer_id: str) -> Response:
        review, refused = reviewable(request, offer_id)
        return refused if review is None else _answer(apis, review)  # type: ignore[return-value]

    @app.get("/v1/offers/{offer_id}/revisions")
    async def revisions(request: Request, offer_id: str) -> Response:
        review, refused = reviewable(request, offer_id)
        if review is None:
            return refused  # type: ignore[return-value]
        return JSONResponse({"offer_id": offer_id, "state": review["state"],
                             "items": review["revisions"]})  # fmt: skip

    @app.post("/v1/offers/{offer_id}/submit")
    async def submit(
        request: Request, offer_id: str, if_match: str = Header(default="")
    ) -> Response:
        sub, role = caller(request)
        review, refused = reviewable(request, offer_id)
        if review is None:
            return refused  # type: ignore[return-value]
        if if_match != f'"{review["version"]}"':
            return _problem(412, "Precondition Failed")
        if review["state"] != "draft" or review["draft"] is None:
            return _problem(409, "Conflict")
        published = apis.offers.get(offer_id)
        revision = {
            "number": len(review["revisions"]) + 1, "state": "submitted",
            "details": review["draft"],
            "changes": _changes(_details(published) if published else None, review["draft"]),
            "base_version": published["version"] if published else None,
            "submitted_at": _now(), "submitted_by": f"{role}:{sub}", "decision": None,
        }  # fmt: skip
        review["revisions"].append(revision)
        review.update(pending=revision, draft=None, state="submitted",
                      version=review["version"] + 1)  # fmt: skip
        return _answer(apis, review)

    @app.post("/v1/offers/{offer_id}/decisions")
    async def decide(request: Request, offer_id: str) -> Response:
        sub, role = caller(request)
        if role != "admin":
            return _problem(403, "Forbidden")
        body = await request.json()
        review = apis.reviews.get(offer_id)
        if review is None:
            return _problem(404, "Not found")
        pending = review["pending"]
        if pending is None or pending["number"] != body["revision"]:
            return _problem(409, "Conflict")
        if pending["submitted_by"] == f"admin:{sub}":
            return _problem(403, "Forbidden")
        if body["decision"] != "approved" and not body.get("comment"):
            return _problem(422, "Unprocessable Content",
                            [{"field": "comment", "reason": "required unless approved"}])  # fmt: skip
        decision = {"id": str(uuid.uuid4()), "revision": pending["number"],
                    "decision": body["decision"], "comment": body.get("comment"),
                    "decided_at": _now(), "report_id": None, "reviewer": sub}  # fmt: skip
        pending.update(state=body["decision"], decision=decision)
        review.update(pending=None, last_decision=decision, state=body["decision"],
                      version=review["version"] + 1)  # fmt: skip
        if body["decision"] == "approved":
            current = apis.offers.get(offer_id)
            apis.offers[offer_id] = pending["details"] | {
                "id": offer_id, "provider_id": review["provider_id"], "status": "published",
                "version": current["version"] + 1 if current else 1, "updated_at": _now(),
            }  # fmt: skip
        return _answer(apis, review)

    @app.post("/v1/offers/{offer_id}/reports")
    async def file_report(request: Request, offer_id: str) -> Response:
        sub, role = caller(request)
        if role != "advisor":
            return _problem(403, "Forbidden")
        offer = apis.offers.get(offer_id)
        if offer is None:
            return _problem(404, "Not found")
        if offer["status"] != "published":
            return _problem(409, "Conflict")
        body = await request.json()
        if "@" in (body.get("note") or ""):
            return _problem(422, "Unprocessable Content", [{
                "field": "note", "reason": "holds what looks like an email address"}])  # fmt: skip
        report = {"id": str(uuid.uuid4()), "offer_id": offer_id, "advisor_id": sub,
                  "reason": body["reason"], "note": body.get("note"), "status": "open",
                  "created_at": _now(), "decided_at": None, "comment": None,
                  "decided_by": None}  # fmt: skip
        apis.reports[report["id"]] = report
        return JSONResponse(report, status_code=201)

    @app.get("/v1/reports")
    async def reports(request: Request, status: str | None = None) -> Any:
        sub, role = caller(request)
        found = [r for r in apis.reports.values() if (role == "admin" or r["advisor_id"] == sub)
                 and (status is None or r["status"] == status)]  # fmt: skip
        return {"items": found, "total": len(found)}

    @app.get("/v1/reports/{report_id}")
    async def one_report(request: Request, report_id: str) -> Response:
        sub, role = caller(request)
        report = apis.reports.get(report_id)
        if report is None or (role != "admin" and report["advisor_id"] != sub):
            return _problem(404, "Not found")
        return JSONResponse(report)

    @app.post("/v1/reports/{report_id}/decision")
    async def decide_report(request: Request, report_id: str) -> Response:
        sub, role = caller(request)
        if role != "admin":
            return _problem(403, "Forbidden")
        report = apis.reports.get(report_id)
        if report is None:
            return _problem(404, "Not found")
        if report["status"] != "open":
            return _problem(409, "Conflict")
        body = await request.json()
        if "@" in body["comment"]:
            return _problem(422, "Unprocessable Content", [{
                "field": "comment", "reason": "holds what looks like an email address"}])  # fmt: skip
        report.update(status=body["outcome"], comment=body["comment"], decided_at=_now(),
                      decided_by=sub)  # fmt: skip
        return JSONResponse(report)
