"""The unsigned public endpoints the finder reads: published offers and eligibility rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request

if TYPE_CHECKING:
    from services.web.tests.fakes import FakeApis

# What OfferDetails fills in when a provider leaves a field out.
DEFAULTS: dict[str, Any] = {
    "subcategory": None, "service_area": [], "age_min": 0, "age_max": 120,
    "german_level_min": "A0", "german_level_max": "C2", "requires_latin_literacy": False,
    "target_groups": [], "residence_statuses": [], "entitlement_required": None,
    "languages_of_instruction": ["de"], "support_languages": [], "times_of_day": [],
    "start_date": None, "end_date": None, "rolling_start": False, "application_deadline": None,
    "places_total": None, "places_available": None, "waitlist": False, "free_of_charge": True,
    "fee_eur": None, "childcare": False, "barrier_free": False, "how_to_apply": None,
}  # fmt: skip

RULES = [
    {"id": "integration-course-entitled", "category": "integration_course",
     "residence_statuses": ["recognised_protection", "residence_permit"], "hint": "eligible",
     "valid_from": "2005-01-01", "valid_until": None, "note": "Entitled."},
    {"id": "integration-course-no-voluntary-admission-2026", "category": "integration_course",
     "residence_statuses": ["temporary_protection", "asylum_seeker"], "hint": "self_payer_only",
     "valid_from": "2026-02-09", "valid_until": None, "note": "Self-payers only."},
]  # fmt: skip


def add_public_endpoints(app: FastAPI, apis: FakeApis) -> None:
    names = {p["id"]: p["name"] for p in apis.providers}

    @app.get("/v1/public/offers")
    async def published_offers(request: Request) -> Any:
        assert "Authorization" not in request.headers  # the finder holds no one's token
        published = [
            DEFAULTS
            | {k: v for k, v in o.items() if k != "status"}
            | {"provider_name": names.get(o["provider_id"], o["provider_id"])}
            for o in apis.offers.values()
            if o.get("status") == "published"
        ]
        limit = int(request.query_params.get("limit", 200))
        start = int(request.query_params.get("cursor") or 0)
        more = start + limit < len(published)
        return {"items": published[start : start + limit],
                "next_cursor": str(start + limit) if more else None}  # fmt: skip

    @app.get("/v1/public/eligibility-rules")
    async def rules(request: Request) -> Any:
        assert "Authorization" not in request.headers
        return RULES
