"""Published offers, to browse and search: for everyone signed in."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotse_shared.identity import Role
from lotse_web.entrypoints.choices import form_choices
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import AnySession, WebDep
from lotse_web.finder.languages import VARIANTS
from lotse_web.views import offer_view

__all__ = ["router"]

router = APIRouter()

SEARCH_LIMIT = 200


def _matches_filters(offer: dict[str, Any], filters: dict[str, Any]) -> bool:
    if filters["free_only"] and not (offer.get("places_available") or 0) > 0:
        return False
    if filters["language"] and filters["language"] not in (
        (offer.get("languages_of_instruction") or []) + (offer.get("support_languages") or [])
    ):
        return False
    if filters["starts_after"] and not offer.get("rolling_start"):
        start = offer.get("start_date")
        if start is None or date.fromisoformat(start) < filters["starts_after_date"]:
            return False
    return True


@router.get("/offers", summary="Search the published offers.")
async def offers(
    request: Request,
    session: AnySession,
    web: WebDep,
    q: str = "",
    category: str = "",
    municipality: str = "",
    language: str = "",
    starts_after: str = "",
    free_only: str = "",
) -> Response:
    token = session.user.api_token
    try:
        starts_after_date = date.fromisoformat(starts_after) if starts_after else None
    except ValueError:
        starts_after, starts_after_date = "", None
    filters = {
        "q": q.strip()[:100],
        "category": category,
        "municipality": municipality,
        "language": language,
        "starts_after": starts_after,
        "starts_after_date": starts_after_date,
        "free_only": free_only == "on",
    }
    params = {"status": "published", "limit": SEARCH_LIMIT}
    params |= {k: filters[k] for k in ("q", "category", "municipality") if filters[k]}
    found = (await web.catalog.offers(token, params))["items"]
    providers = {p["id"]: p["name"] for p in await web.catalog.providers(token)}
    shown = [offer_view(o, providers, web.region) for o in found if _matches_filters(o, filters)]
    context = form_choices(web.region) | {"offers": shown, "filters": filters}
    return render(request, "advisor/offers.html", context)


@router.get("/offers/{offer_id}", summary="One offer.")
async def offer(request: Request, offer_id: str, session: AnySession, web: WebDep) -> Response:
    token = session.user.api_token
    found = await web.catalog.offer(token, offer_id)
    providers = {p["id"]: p["name"] for p in await web.catalog.providers(token)}
    return render(request, "advisor/offer.html", {
        "offer": offer_view(found, providers, web.region),
        "can_report": session.user.role is Role.ADVISOR,  # reports come from advisors' work
        "handouts": [(v.code, v.name, v.lang, v.direction) for v in VARIANTS.values()],
    })  # fmt: skip
