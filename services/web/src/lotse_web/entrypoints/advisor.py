"""The advisor's desk: needs, their matches and decisions."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lotse_web import labels
from lotse_web.adapters.api import Conflict, Invalid, NotFound, ServiceUnavailable
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.choices import form_choices
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.need_form import (
    LABELS,
    form_errors,
    from_need,
    need_body,
    need_values,
)
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import AdvisorSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _
from lotse_web.views import ended_match, match_view, need_row

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

PAGE_SIZE = 20
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def _unavailable_message() -> str:
    return _("Lotse cannot reach one of its services right now. Nothing was saved; "
             "your entries are still here. Please try again in a moment.")  # fmt: skip


@router.get("/needs", summary="My needs.")
async def needs(
    request: Request, session: AdvisorSession, web: WebDep, status: str = "open", page: int = 1
) -> Response:
    token = session.user.api_token
    status = status if status in ("open", "closed", "all") else "open"
    since = session.previous_visit_at
    page = max(page, 1)
    shown, total = await web.catalog.needs(
        token, None if status == "all" else status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    counts = await web.matching.match_counts(token, [n["id"] for n in shown], since)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    rows = [need_row(n, counts.get(n["id"]), web.region) for n in shown]
    return render(
        request,
        "advisor/needs.html",
        {"rows": rows, "status": status, "page": page, "pages": pages, "total": total},
    )


def _need_form(
    request: Request,
    web: Web,
    state: FormState,
    *,
    action: str,
    status: int = 200,
    need: dict[str, Any] | None = None,
    version: int | None = None,
    current: dict[str, Any] | None = None,
) -> Response:
    context = form_choices(web.region) | {
        "state": state,
        "action": action,
        "need_id": need["id"] if need else None,
        "reference": need["reference"] if need else None,
        "version": version,
        "current": current,
    }
    return render(request, "advisor/need_form.html", context, status=status)


@router.get("/needs/new", summary="The form to register a need.")
async def new_need(request: Request, _session: AdvisorSession, web: WebDep) -> Response:
    state = FormState(
        {"german_level": "A0", "literacy": "latin", "max_travel_km": "10"}, labels=LABELS
    )
    return _need_form(request, web, state, action="/needs/new")


@router.post("/needs/new", summary="Register a need.")
async def register_need(request: Request, session: AdvisorSession, web: WebDep) -> Response:
    values = need_values(await request.form())
    try:
        need = await web.catalog.register_need(session.user.api_token, need_body(values))
    except Invalid as exc:
        state = FormState(values, form_errors(exc.field_errors), labels=LABELS)
        return _need_form(request, web, state, action="/needs/new", status=422)
    except ServiceUnavailable:
        state = FormState(values, {"body": [_unavailable_message()]}, labels=LABELS)
        return _need_form(request, web, state, action="/needs/new", status=503)
    await web.sessions.flash(
        session, "success", _("Need %(reference)s was registered.", reference=need["reference"])
    )
    return see_other(f"/needs/{need['id']}")


async def _provider_names(web: Web, token: str) -> dict[str, str]:
    return {p["id"]: p["name"] for p in await web.catalog.providers(token)}


async def _matches_so_far(web: Web, token: str, need_id: str) -> list[dict[str, Any]]:
    try:
        return await web.matching.matches_of_need(token, need_id)
    except NotFound:  # matching has not seen the need yet (or it is not the caller's: the
        return []  # catalog's answer, asked at the same time, decides that)


async def _need_page_context(web: Web, token: str, need_id: str) -> dict[str, Any]:
    need, matches, providers = await asyncio.gather(
        web.catalog.need(token, need_id),
        _matches_so_far(web, token, need_id),
        _provider_names(web, token),
    )
    offers = await web.catalog.offers_by_id(token, sorted({m["offer_id"] for m in matches}))
    # A declined proposal stays a match in matching's books; for the advisor it is over.
    holds = [m for m in matches if m["status"] == "active" and m.get("decision") != "declined"]
    active = [match_view(m, offers.get(m["offer_id"]), providers, need, web.region) for m in holds]
    ended = [ended_match(m, offers.get(m["offer_id"])) for m in matches if m not in holds]
    need_view = need | {"municipality_name": web.region.name_of(need["municipality"])}
    return {
        "need": need_view,
        "active": active,
        "ended": ended,
        "fingerprint": _fingerprint(matches),
    }


def _fingerprint(matches: list[dict[str, Any]]) -> str:
    """Changes whenever the list would look different: to answer a poll with "nothing new"."""
    seen = sorted(f"{m['id']}:{m.get('status')}:{m.get('decision')}" for m in matches)
    return hashlib.sha256("|".join(seen).encode()).hexdigest()[:16]


@router.get("/needs/{need_id}", summary="One need and its proposed offers.")
async def need_page(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    context = await _need_page_context(web, session.user.api_token, need_id)
    return render(request, "advisor/need.html", context)


@router.get("/needs/{need_id}/matches", summary="The proposed offers alone, for the live list.")
async def need_matches(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep, seen: str = ""
) -> Response:
    context = await _need_page_context(web, session.user.api_token, need_id)
    if seen and seen == context["fingerprint"] and "hx-request" in request.headers:
        return Response(status_code=204)  # htmx keeps the list, and the focus in it
    if seen and seen != context["fingerprint"]:
        context["announce"] = _("The list of proposed offers was updated.")
    return render(request, "advisor/_matches.html", context)


@router.get("/needs/{need_id}/edit", summary="The form to change a need.")
async def edit_need(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    need = await web.catalog.need(session.user.api_token, need_id)
    state = FormState(from_need(need), labels=LABELS)
    return _need_form(
        request, web, state, action=f"/needs/{need_id}/edit", need=need, version=need["version"]
    )


@router.post("/needs/{need_id}/edit", summary="Change a need.")
async def change_need(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    token = session.user.api_token
    form = await request.form()
    values = need_values(form)
    version = _int(form.get("version"))
    action = f"/needs/{need_id}/edit"
    try:
        need = await web.catalog.replace_need(token, need_id, need_body(values), version)
    except Invalid as exc:
        stored = await web.catalog.need(token, need_id)
        state = FormState(values, form_errors(exc.field_errors), labels=LABELS)
        return _need_form(request, web, state, action=action, status=422, need=stored,
                          version=version)  # fmt: skip
    except Conflict:
        current = await web.catalog.need(token, need_id)
        shown = current | {"municipality": web.region.name_of(current["municipality"])}
        return _need_form(request, web, FormState(values, labels=LABELS), action=action, status=409,
                          need=current, version=current["version"], current=shown)  # fmt: skip
    except ServiceUnavailable:
        state = FormState(values, {"body": [_unavailable_message()]}, labels=LABELS)
        stub = {"id": need_id, "reference": ""}
        return _need_form(request, web, state, action=action, status=503, need=stub,
                          version=version)  # fmt: skip
    await web.sessions.flash(session, "success", _("Your changes were saved."))
    return see_other(f"/needs/{need['id']}")


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


@router.post("/needs/{need_id}/close", summary="Close a need.")
async def close_need(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    form = await request.form()
    try:
        await web.catalog.close_need(session.user.api_token, need_id, _int(form.get("version")))
    except Conflict:
        await web.sessions.flash(
            session, "warning", _("The need was changed elsewhere; please look at it again.")
        )
        return see_other(f"/needs/{need_id}")
    await web.sessions.flash(session, "success", _("The need is closed; it takes no new offers."))
    return see_other(f"/needs/{need_id}")


@router.get("/needs/{need_id}/erase", summary="What erasing a need deletes; asks to confirm.")
async def confirm_erase(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    need = await web.catalog.need(session.user.api_token, need_id)
    return render(request, "advisor/erase.html", {"need": need})


@router.post("/needs/{need_id}/erase", summary="Erase a need everywhere.")
async def erase_need(
    request: Request, need_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    need = await web.catalog.need(session.user.api_token, need_id)
    await web.catalog.erase_need(session.user.api_token, need_id)
    await web.sessions.flash(
        session, "success", _("Need %(reference)s was erased.", reference=need["reference"])
    )
    return see_other("/needs")


@router.get("/matches/{match_id}", summary="Where an email's link leads: the match on its need.")
async def match_page(match_id: str, session: AdvisorSession, web: WebDep) -> Response:
    try:
        match = await web.matching.match(session.user.api_token, match_id)
    except NotFound:  # erased with its need, or not this advisor's: nothing is revealed
        await web.sessions.flash(session, "warning", _("This proposal no longer holds."))
        return see_other("/needs")
    return see_other(f"/needs/{match['need_id']}#match-{match_id}")


@router.post("/matches/{match_id}/accept", summary="Accept a proposed offer.")
async def accept(request: Request, match_id: str, session: AdvisorSession, web: WebDep) -> Response:
    return await _decide(request, match_id, session.user.api_token, web, session, "accepted")


@router.post("/matches/{match_id}/decline", summary="Decline a proposed offer, with a reason.")
async def decline(
    request: Request, match_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    return await _decide(request, match_id, session.user.api_token, web, session, "declined")


async def _decide(
    request: Request, match_id: str, token: str, web: Web, session: Session, decision: str
) -> Response:
    form = await request.form()
    reason = str(form.get("reason", "")) if decision == "declined" else None
    if reason is not None and reason not in labels.DECLINE_REASONS:
        reason = "other"
    # The form names the need to come back to; only an id's characters make it into the URL.
    need_id = str(form.get("need_id", ""))
    back = f"/needs/{need_id}" if _ID.fullmatch(need_id) else "/needs"
    try:
        decided = await web.matching.decide(token, match_id, decision, reason)
    except NotFound:
        await web.sessions.flash(session, "warning", _("This proposal no longer holds."))
        return see_other(back)
    text = _("You accepted the offer.") if decision == "accepted" else _("You declined the offer.")
    await web.sessions.flash(session, "success", text)
    return see_other(f"/needs/{decided['need_id']}")
