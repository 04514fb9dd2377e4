"""The review on the providers' desk: where an offer's review stands, and sending it.

Where the catalog reviews a provider's offers, saving one keeps it as a draft and
the desk sends it for review at once; advisors see the published version (if
any) until the KI approves. Included by :mod:`provider`, behind its CSRF check.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotse_web.adapters.api import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    StateConflict,
)
from lotse_web.adapters.reviews import Saved
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.provider_access import not_yours, see_other, version_of
from lotse_web.entrypoints.security import ProviderSession, WebDep
from lotse_web.i18n import gettext_ as _
from lotse_web.review_views import changes_of, review_row, revision_row
from lotse_web.views import offer_view

__all__ = ["after_saving", "own_review", "router"]

router = APIRouter()


async def own_review(web: Web, session: Session, offer_id: str) -> dict[str, Any] | None:
    """The offer's review, if it has one; another provider's offer is the 404 page."""
    try:
        review = await web.reviews.review(session.user.api_token, offer_id)
    except NotFound:
        return None
    except Forbidden:
        raise not_yours() from None
    if review.get("provider_id") != session.user.id:
        raise not_yours()
    return review


def _published_message(new: bool) -> str:
    if new:
        return _("Your offer is published. This is how advisors see it.")
    return _("Your changes are saved. This is how advisors see the offer.")


async def after_saving(web: Web, session: Session, saved: Saved, *, new: bool) -> Response:
    """Where saving leads: the offer's page, or, under review, sending the draft for review."""
    if not saved.under_review:
        await web.sessions.flash(session, "success", _published_message(new))
        return see_other(f"/provider/offers/{saved.offer_id}")
    await _send(web, session, saved.offer_id, int(saved.body["version"]),
                saved.body.get("published_version") is not None)  # fmt: skip
    return see_other(f"/provider/offers/{saved.offer_id}/review")


async def _send(web: Web, session: Session, offer_id: str, version: int, published: bool) -> None:
    """Submit the draft, and say on the next page what became of it."""
    try:
        sent = await web.reviews.submit(session.user.api_token, offer_id, version)
    except ServiceUnavailable:
        await web.sessions.flash(session, "warning", _(
            "Your offer is saved as a draft, but it could not be sent for review just now. "
            "Please send it with “Send for review” in a moment."))  # fmt: skip
        return
    except Conflict:
        await web.sessions.flash(session, "warning", _(
            "This offer was changed elsewhere in the meantime. Please check it and send it again."))  # fmt: skip
        return
    except StateConflict:
        await web.sessions.flash(session, "warning",
                                 _("There is nothing to send: change the offer first."))  # fmt: skip
        return
    if sent["state"] == "published":  # the provider became trusted meanwhile
        message = _published_message(not published)
    elif published:
        message = _("Your changes were sent to the KI for review. Until they are approved, "
                    "advisors see the offer as it was published.")  # fmt: skip
    else:
        message = _("Your offer was sent to the KI for review. Advisors will see it once "
                    "it is approved; you get an email when the KI has decided.")  # fmt: skip
    await web.sessions.flash(session, "success", message)


@router.get("/provider/offers/{offer_id}/review", summary="Where the offer's review stands.")
async def review_page(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    review = await own_review(web, session, offer_id)
    if review is None:
        return see_other(f"/provider/offers/{offer_id}")
    token = session.user.api_token
    revisions = await web.reviews.revisions(token, offer_id)
    shown = review.get("working_copy") or (review.get("pending") or {}).get("details")
    providers = {session.user.id: session.user.organisation or session.user.display_name}
    offer = None
    if shown:
        offer = offer_view(shown | {"id": offer_id, "provider_id": session.user.id,
                                    "status": "published"}, providers, web.region)  # fmt: skip
    return render(request, "provider/review.html", {
        "review": review_row(review),
        "offer": offer,
        "pending": changes_of(review["pending"], web.region) if review.get("pending") else [],
        "history": [revision_row(r, web.region) for r in reversed(revisions)],
    })  # fmt: skip


@router.post("/provider/offers/{offer_id}/submit", summary="Send the offer's draft for review.")
async def submit(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    form = await request.form()
    review = await own_review(web, session, offer_id)
    if review is None:
        raise not_yours()
    published = review.get("published_version") is not None
    await _send(web, session, offer_id, version_of(form.get("version")), published)
    return see_other(f"/provider/offers/{offer_id}/review")
