"""The KI's review queue: what waits, what a revision changes, and the decision on it.

The catalog holds the rules (only admins decide, never on what they wrote or
sent themselves; only the revision waiting); this desk shows them as words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lotse_web.adapters.api import (
    Forbidden,
    Invalid,
    NotFound,
    ServiceUnavailable,
    StateConflict,
)
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.pages import render, retry_later
from lotse_web.entrypoints.provider_access import see_other, version_of
from lotse_web.entrypoints.security import AdminSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.review_views import changes_between, changes_of, review_row, revision_row
from lotse_web.views import offer_view

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

DECISIONS = {
    "approved": N_("Approve: publish it"),
    "changes_requested": N_("Ask the provider for changes"),
    "rejected": N_("Reject it"),
}
DECISION_LABELS = {"decision": N_("Decision"), "comment": N_("Comment for the provider")}
DONE = {
    "approved": N_("“%(title)s” is approved and published."),
    "changes_requested": N_("The provider is asked to change “%(title)s”."),
    "rejected": N_("“%(title)s” is rejected."),
}


async def _provider_names(web: Web, token: str) -> dict[str, str]:
    return {p["id"]: p["name"] for p in await web.catalog.providers(token)}


@router.get("/coordinator/reviews", summary="The review queue: what waits longest comes first.")
async def queue(request: Request, session: AdminSession, web: WebDep) -> Response:
    token = session.user.api_token
    page = await web.reviews.reviews(token)
    names = await _provider_names(web, token)
    now = datetime.now(UTC)
    rows = [review_row(r) for r in page.items]
    return render(request, "coordinator/reviews.html", {
        "rows": rows,
        "total": page.total,
        "names": names,
        "days_waiting": {r.offer_id: (now - (r.submitted_at or now)).days for r in rows},
    })  # fmt: skip


async def _review_page(
    request: Request,
    web: Web,
    session: Session,
    offer_id: str,
    state: FormState | None = None,
    status: int = 200,
) -> Response:
    token = session.user.api_token
    try:
        review = await web.reviews.review(token, offer_id)
    except NotFound:
        return render(request, "errors/error.html", {
            "title": _("Not found"),
            "message": _("There is no review of this offer."),
        }, status=404)  # fmt: skip
    revisions = await web.reviews.revisions(token, offer_id)
    names = await _provider_names(web, token)
    pending = review.get("pending")
    offer = None
    if pending:
        shown = pending["details"] | {"id": offer_id, "provider_id": review["provider_id"],
                                      "status": "published"}  # fmt: skip
        offer = offer_view(shown, names, web.region)
    earlier = [r for r in revisions if pending and r["number"] < pending["number"]]
    since = (
        (earlier[-1]["number"], changes_between(earlier[-1]["details"], pending["details"],
                                                web.region))
        if earlier and pending
        else None
    )  # fmt: skip
    own = pending is not None and pending.get("submitted_by") == f"admin:{session.user.id}"
    return render(request, "coordinator/review.html", {
        "review": review_row(review),
        "provider": names.get(review["provider_id"], review["provider_id"]),
        "pending": pending,
        "changes": changes_of(pending, web.region) if pending else [],
        "since": since,  # (the version before, what changed since it) for a version sent again
        "offer": offer,
        "own_revision": own,
        "history": [revision_row(r, web.region) for r in reversed(revisions)],
        "decision_options": [(code, _(words)) for code, words in DECISIONS.items()],
        "state": state or FormState({}, labels=DECISION_LABELS),
    }, status=status)  # fmt: skip


@router.get("/coordinator/reviews/{offer_id}", summary="One offer's revision, side by side.")
async def review(request: Request, offer_id: str, session: AdminSession, web: WebDep) -> Response:
    return await _review_page(request, web, session, offer_id)


def _decision_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values["decision"] not in DECISIONS:
        errors["decision"] = [_("Choose what to do with this version.")]
    elif values["decision"] != "approved" and not values["comment"]:
        errors["comment"] = [_("Tell the provider what to change or why it is rejected.")]
    return errors


@router.post("/coordinator/reviews/{offer_id}", summary="Decide on the revision waiting.")
async def decide(request: Request, offer_id: str, session: AdminSession, web: WebDep) -> Response:
    form = await request.form()
    values = {
        "decision": str(form.get("decision", "")),
        "comment": str(form.get("comment", "")).strip(),
    }
    errors = _decision_errors(values)
    if errors:
        state = FormState(values, errors, labels=DECISION_LABELS)
        return await _review_page(request, web, session, offer_id, state, 422)
    revision = version_of(form.get("revision"))
    try:
        decided = await web.reviews.decide(
            session.user.api_token, offer_id, revision, values["decision"], values["comment"]
        )
    except Invalid as exc:
        found = {e.field.removeprefix("body.") or "comment": [e.reason] for e in exc.field_errors}
        state = FormState(values, found or {"comment": [exc.detail or exc.title]},
                          labels=DECISION_LABELS)  # fmt: skip
        return await _review_page(request, web, session, offer_id, state, 422)
    except Forbidden:
        message = _("You wrote or sent this version yourself, so another coordinator must "
                    "decide on it.")  # fmt: skip
        state = FormState(values, {"decision": [message]}, labels=DECISION_LABELS)
        return await _review_page(request, web, session, offer_id, state, 403)
    except ServiceUnavailable:
        shown = [(_(DECISION_LABELS["decision"]), _(DECISIONS[values["decision"]])),
                 (_(DECISION_LABELS["comment"]), values["comment"])]  # fmt: skip
        return retry_later(request, request.url.path, values | {"revision": str(revision)},
                           shown, back=request.url.path)  # fmt: skip
    except StateConflict:
        await web.sessions.flash(session, "warning", _(
            "This version was replaced or withdrawn in the meantime, so it cannot be decided "
            "any more. The page shows the offer as it is now."))  # fmt: skip
        return see_other(f"/coordinator/reviews/{offer_id}")
    title = decided.get("title") or ""
    await web.sessions.flash(session, "success", _(DONE[values["decision"]], title=title))
    return see_other("/coordinator/reviews")
