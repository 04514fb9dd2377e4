"""Providers' desk: their offers, free places in one click, an offer's page, withdrawing.

The offer form lives in :mod:`offer_editing`, the import in :mod:`provider_import`;
their routes are included here, behind the same CSRF check.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lotse_web.adapters.api import (
    ApiError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceUnavailable,
)
from lotse_web.adapters.reviews import ReviewPage
from lotse_web.bootstrap import Web
from lotse_web.entrypoints import offer_editing, provider_import, provider_review
from lotse_web.entrypoints.offer_form import offer_reason
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.provider_access import not_yours, own_offer, see_other, version_of
from lotse_web.entrypoints.security import ProviderSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.provider_views import OfferRow, offer_row
from lotse_web.review_views import review_row
from lotse_web.views import offer_view

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])
router.include_router(offer_editing.router)  # before /provider/offers/{offer_id}
router.include_router(provider_import.router)
router.include_router(provider_review.router)

PAGE_SIZE = 50
SORTS = {
    "start_date": N_("Start, soonest first"),
    "-start_date": N_("Start, latest first"),
    "title": N_("Title, A to Z"),
    "updated": N_("Longest unchanged first"),
}
STATUSES = {"published": N_("Published"), "withdrawn": N_("Withdrawn"), "all": N_("All")}


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat() if text else ""
    except ValueError:
        return ""


@dataclass(frozen=True)
class ListQuery:
    """What "My offers" shows: sort, filters and page, as the address carries them."""

    sort: str = "start_date"
    status: str = "published"
    start_from: str = ""
    start_until: str = ""
    page: int = 1
    cursor: str = ""  # the catalog's keyset position, for the "updated" order only

    @classmethod
    def of(cls, given: dict[str, str]) -> ListQuery:
        sort, status = given.get("sort", ""), given.get("status", "")
        return cls(
            sort if sort in SORTS else "start_date",
            status if status in STATUSES else "published",
            _day(given.get("start_from", "")),
            _day(given.get("start_until", "")),
            max(version_of(given.get("page", "1")), 1),
            given.get("cursor", "")[:500],
        )

    def catalog_params(self, provider_id: str) -> dict[str, Any]:
        params: dict[str, Any] = {"provider_id": provider_id, "sort": self.sort,
                                  "limit": PAGE_SIZE, "total": "true"}  # fmt: skip
        if self.status != "all":
            params["status"] = self.status
        for name in ("start_from", "start_until"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        if self.sort == "updated":
            if self.cursor:
                params["cursor"] = self.cursor
        else:
            params["offset"] = (self.page - 1) * PAGE_SIZE
        return params

    def query_string(self, **changes: Any) -> str:
        chosen = replace(self, **changes)
        pairs = {k: v for k, v in vars(chosen).items() if v}
        if chosen.sort == "updated" or pairs.get("page") == 1:
            pairs.pop("page", None)
        return urlencode(pairs)

    def link(self, **changes: Any) -> str:
        return f"/provider/offers?{self.query_string(**changes)}"


async def _counts(web: Web, token: str, ids: list[str]) -> dict[str, Any] | None:
    """Matches per offer; None when matching cannot be asked (the list still shows)."""
    try:
        return await web.matching.offer_match_counts(token, ids) if ids else {}
    except ServiceUnavailable:
        return None


async def _reviews(web: Web, token: str) -> ReviewPage | None:
    """The provider's reviews; None when they cannot be asked (the offers still show)."""
    try:
        return await web.reviews.reviews(token)
    except ServiceUnavailable:
        return None


async def _list_context(web: Web, session: Any, query: ListQuery) -> dict[str, Any]:
    token = session.user.api_token
    body, reviews = await asyncio.gather(
        web.catalog.offers(token, query.catalog_params(session.user.id)), _reviews(web, token)
    )
    items = body["items"]
    counts = await _counts(web, token, [o["id"] for o in items])
    total = int(body.get("total") or len(items))
    in_review = [review_row(r) for r in reviews.items] if reviews else []
    states = {r.offer_id: r.state for r in in_review if r.published and r.open}
    return {
        "rows": [offer_row(o, counts, review_state=states.get(o["id"])) for o in items],
        "in_review": [r for r in in_review if r.open and not r.published],
        "offers_reviewed": reviews.offers_reviewed if reviews else None,
        "counts_missing": counts is None,
        "query": query,
        "sorts": SORTS,
        "statuses": STATUSES,
        "total": total,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "next_cursor": body.get("next_cursor"),
    }


@router.get("/provider/offers", summary="My offers, with free places and match counts.")
async def my_offers(request: Request, session: ProviderSession, web: WebDep) -> Response:
    query = ListQuery.of(dict(request.query_params))
    context = await _list_context(web, session, query)
    return render(request, "provider/offers.html", context)


def _wanted_places(typed: str) -> int | str | None:
    """Empty means "not stated"; anything but a whole number goes as typed, for the catalog
    to name what is wrong with it."""
    if not typed:
        return None
    return int(typed) if typed.isdigit() else typed


@router.post("/provider/offers/{offer_id}/places", summary="Set an offer's free places.")
async def set_places(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    form = await request.form()
    typed = str(form.get("places_available", "")).strip()
    query = ListQuery.of(dict(parse_qsl(str(form.get("back", "")))))
    token = session.user.api_token
    patch = {"places_available": _wanted_places(typed)}
    try:
        changed = await web.catalog.change_offer(
            token, offer_id, patch, version_of(form.get("version"))
        )
    except (Forbidden, NotFound):
        raise not_yours() from None
    except Conflict:
        current = await own_offer(web, session, offer_id)
        counts = await _counts(web, token, [offer_id])
        row = offer_row(current, counts, changed_elsewhere=True)
        return await _refused(request, web, session, query, row, 409)
    except ApiError as exc:  # 422: the number; 409: the offer is withdrawn
        current = await own_offer(web, session, offer_id)
        counts = await _counts(web, token, [offer_id])
        reason = (
            "; ".join(offer_reason(e.reason) for e in exc.field_errors)
            if isinstance(exc, Invalid) and exc.field_errors
            else _("This offer is withdrawn; its places cannot change any more.")
        )
        row = offer_row(current, counts, typed=typed, error=reason)
        return await _refused(request, web, session, query, row, exc.status)
    row = offer_row(changed, await _counts(web, token, [offer_id]))
    if row.places_available == 0:
        message = _("“%(title)s” is now full.", title=row.title)
    elif row.places_available is None:
        message = _("“%(title)s” no longer states its free places.", title=row.title)
    else:
        message = _("“%(title)s” now has %(num)s free places.", title=row.title,
                    num=row.places_available)  # fmt: skip
    if "hx-request" in request.headers:
        return render(request, "provider/_places_answer.html",
                      {"row": row, "query": query, "announce": message})  # fmt: skip
    await web.sessions.flash(session, "success", message)
    return see_other(query.link())


async def _refused(
    request: Request, web: Web, session: Any, query: ListQuery, row: OfferRow, status: int
) -> Response:
    """The row again with what went wrong: alone for htmx, else in the whole list."""
    if "hx-request" in request.headers:  # htmx swaps only 2xx answers
        return render(request, "provider/_places_answer.html", {"row": row, "query": query})
    context = await _list_context(web, session, query)
    rows: list[OfferRow] = context["rows"]
    shown = [row if r.id == row.id else r for r in rows]
    context["rows"] = shown if any(r.id == row.id for r in rows) else [row, *rows]
    return render(request, "provider/offers.html", context, status=status)


@router.get("/provider/offers/{offer_id}", summary="My offer, as advisors see it.")
async def my_offer(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    try:
        offer = await own_offer(web, session, offer_id)
    except NotFound:  # never published: its review is all there is
        return see_other(f"/provider/offers/{offer_id}/review")
    counts = await _counts(web, session.user.api_token, [offer_id])
    review = await provider_review.own_review(web, session, offer_id)
    providers = {session.user.id: session.user.organisation or session.user.display_name}
    return render(request, "provider/offer.html", {
        "offer": offer_view(offer, providers, web.region),
        "row": offer_row(offer, counts),
        "review": review_row(review) if review else None,
    })  # fmt: skip


@router.get("/provider/offers/{offer_id}/withdraw", summary="What withdrawing does; asks first.")
async def confirm_withdraw(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    offer = await own_offer(web, session, offer_id)
    counts = await _counts(web, session.user.api_token, [offer_id])
    return render(request, "provider/withdraw.html", {"row": offer_row(offer, counts)})


@router.post("/provider/offers/{offer_id}/withdraw", summary="Withdraw an offer.")
async def withdraw(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    form = await request.form()
    token = session.user.api_token
    try:
        offer = await web.catalog.withdraw_offer(token, offer_id, version_of(form.get("version")))
    except (Forbidden, NotFound):
        raise not_yours() from None
    except Conflict:
        current = await own_offer(web, session, offer_id)
        counts = await _counts(web, token, [offer_id])
        return render(request, "provider/withdraw.html",
                      {"row": offer_row(current, counts, changed_elsewhere=True)},
                      status=409)  # fmt: skip
    except ApiError as exc:
        if exc.status != 409:
            raise
        await web.sessions.flash(session, "warning", _("This offer was already withdrawn."))
        return see_other(f"/provider/offers/{offer_id}")
    row = offer_row(offer, None)
    await web.sessions.flash(session, "success", _("“%(title)s” was withdrawn.", title=row.title))
    return see_other("/provider/offers")
