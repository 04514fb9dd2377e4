"""Problem reports: advisors report what is wrong with an offer; the KI decides on each.

The catalog guards the note against personal data and decides each report
once; its refusals come back here as words next to the field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lotse_web.adapters.api import Invalid, ServiceUnavailable, StateConflict
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.pages import render, retry_later
from lotse_web.entrypoints.provider_access import see_other
from lotse_web.entrypoints.security import AdminSession, AdvisorSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.review_views import REPORT_REASONS, REPORT_STATUSES, report_row
from lotse_web.views import offer_view

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

NOTE_MAX = 500
REPORT_LABELS = {"reason": N_("What is wrong"), "note": N_("A few words (optional)")}
OUTCOMES = {
    "changes_requested": N_("Ask the provider to change the offer"),
    "dismissed": N_("Dismiss the report"),
}
OUTCOME_LABELS = {"outcome": N_("Decision"), "comment": N_("Comment")}


def _field_errors(exc: Invalid, fallback: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in exc.field_errors:
        found.setdefault(error.field.removeprefix("body.") or fallback, []).append(error.reason)
    return found or {fallback: [exc.detail or exc.title]}


async def _providers(web: Web, token: str) -> dict[str, str]:
    return {p["id"]: p["name"] for p in await web.catalog.providers(token)}


# Advisors: the form on an offer's page, and their reports.


async def _report_form(
    request: Request, web: Web, session: Session, offer_id: str, state: FormState, status: int
) -> Response:
    token = session.user.api_token
    found = await web.catalog.offer(token, offer_id)
    return render(request, "advisor/report_form.html", {
        "offer": offer_view(found, await _providers(web, token), web.region),
        "state": state,
        "reasons": [(code, _(words)) for code, words in REPORT_REASONS.items()],
        "note_max": NOTE_MAX,
    }, status=status)  # fmt: skip


@router.get("/offers/{offer_id}/report", summary="The form to report a problem with an offer.")
async def report_form(
    request: Request, offer_id: str, session: AdvisorSession, web: WebDep
) -> Response:
    state = FormState({}, labels=REPORT_LABELS)
    return await _report_form(request, web, session, offer_id, state, 200)


@router.post("/offers/{offer_id}/report", summary="Report a problem with an offer.")
async def report(request: Request, offer_id: str, session: AdvisorSession, web: WebDep) -> Response:
    form = await request.form()
    values = {"reason": str(form.get("reason", "")), "note": str(form.get("note", "")).strip()}
    errors: dict[str, list[str]] = {}
    if values["reason"] not in REPORT_REASONS:
        errors["reason"] = [_("Choose what is wrong with the offer.")]
    if len(values["note"]) > NOTE_MAX:
        errors["note"] = [_("At most %(num)d characters, please.", num=NOTE_MAX)]
    if errors:
        state = FormState(values, errors, labels=REPORT_LABELS)
        return await _report_form(request, web, session, offer_id, state, 422)
    try:
        await web.reviews.report(session.user.api_token, offer_id, values["reason"], values["note"])
    except Invalid as exc:
        state = FormState(values, _field_errors(exc, "note"), labels=REPORT_LABELS)
        return await _report_form(request, web, session, offer_id, state, 422)
    except StateConflict:
        await web.sessions.flash(session, "warning",
                                 _("This offer is withdrawn, so there is nothing to report."))  # fmt: skip
        return see_other(f"/offers/{offer_id}")
    except ServiceUnavailable:
        shown = [(_(REPORT_LABELS["reason"]), _(REPORT_REASONS[values["reason"]])),
                 (_(REPORT_LABELS["note"]), values["note"])]  # fmt: skip
        return retry_later(request, request.url.path, values, shown, back=f"/offers/{offer_id}")
    await web.sessions.flash(session, "success", _(
        "Thank you. The KI looks at your report; you see here what became of it."))  # fmt: skip
    return see_other("/reports")


async def _rows(web: Web, token: str, reports: list[dict[str, Any]]) -> list[Any]:
    ids = list(dict.fromkeys(r["offer_id"] for r in reports))
    offers: dict[str, Any] = {}
    for start in range(0, len(ids), 100):  # the catalog takes up to 100 ids per call
        offers |= await web.catalog.offers_by_id(token, ids[start : start + 100])
    return [report_row(r, offers) for r in reports]


@router.get("/reports", summary="The advisor's problem reports and what became of them.")
async def my_reports(request: Request, session: AdvisorSession, web: WebDep) -> Response:
    token = session.user.api_token
    items, total = await web.reviews.reports(token)
    rows = sorted(await _rows(web, token, items), key=lambda r: r.created_at, reverse=True)
    return render(request, "advisor/reports.html", {"rows": rows, "total": total})


# The KI: the queue of reports, and the decision on one.


@router.get("/coordinator/reports", summary="Problem reports from advisors.")
async def report_queue(
    request: Request, session: AdminSession, web: WebDep, status: str = "open"
) -> Response:
    status = status if status in REPORT_STATUSES else "open"
    token = session.user.api_token
    items, total = await web.reviews.reports(token, status)
    return render(request, "coordinator/reports.html", {
        "rows": await _rows(web, token, items),
        "total": total,
        "status": status,
        "statuses": REPORT_STATUSES,
    })  # fmt: skip


async def _decision_page(
    request: Request,
    web: Web,
    session: Session,
    report_id: str,
    state: FormState,
    status: int = 200,
) -> Response:
    token = session.user.api_token
    found = await web.reviews.one_report(token, report_id)
    offers = await web.catalog.offers_by_id(token, [found["offer_id"]])
    offer = offers.get(found["offer_id"])
    return render(request, "coordinator/report.html", {
        "report": report_row(found, offers),
        "advisor": found["advisor_id"],
        "offer": offer_view(offer, await _providers(web, token), web.region) if offer else None,
        "outcomes": [(code, _(words)) for code, words in OUTCOMES.items()],
        "state": state,
    }, status=status)  # fmt: skip


@router.get("/coordinator/reports/{report_id}", summary="One report, to decide on.")
async def report_page(
    request: Request, report_id: str, session: AdminSession, web: WebDep
) -> Response:
    state = FormState({}, labels=OUTCOME_LABELS)
    return await _decision_page(request, web, session, report_id, state)


@router.post("/coordinator/reports/{report_id}", summary="Decide on a report.")
async def decide_report(
    request: Request, report_id: str, session: AdminSession, web: WebDep
) -> Response:
    form = await request.form()
    values = {"outcome": str(form.get("outcome", "")),
              "comment": str(form.get("comment", "")).strip()}  # fmt: skip
    errors: dict[str, list[str]] = {}
    if values["outcome"] not in OUTCOMES:
        errors["outcome"] = [_("Choose what to do with the report.")]
    if not values["comment"]:
        errors["comment"] = [_("Write a few words: the advisor reads them, and with a change "
                               "request the provider too.")]  # fmt: skip
    if errors:
        state = FormState(values, errors, labels=OUTCOME_LABELS)
        return await _decision_page(request, web, session, report_id, state, 422)
    try:
        await web.reviews.decide_report(
            session.user.api_token, report_id, values["outcome"], values["comment"]
        )
    except Invalid as exc:
        state = FormState(values, _field_errors(exc, "comment"), labels=OUTCOME_LABELS)
        return await _decision_page(request, web, session, report_id, state, 422)
    except StateConflict:
        await web.sessions.flash(session, "warning",
                                 _("This report was already decided in the meantime."))  # fmt: skip
        return see_other(f"/coordinator/reports/{report_id}")
    except ServiceUnavailable:
        shown = [(_(OUTCOME_LABELS["outcome"]), _(OUTCOMES[values["outcome"]])),
                 (_(OUTCOME_LABELS["comment"]), values["comment"])]  # fmt: skip
        return retry_later(request, request.url.path, values, shown, back=request.url.path)
    message = (
        _("The provider is asked to change the offer; the advisor sees your comment.")
        if values["outcome"] == "changes_requested"
        else _("The report is dismissed; the advisor sees your comment.")
    )
    await web.sessions.flash(session, "success", message)
    return see_other("/coordinator/reports")
