"""Importing many offers from a CSV or JSON file, and the template to fill in.

Included by :mod:`provider`, whose router checks every POST's CSRF token.
The catalog validates every row; this page forwards the file and shows its report.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from lotse_web.adapters.api import Invalid, ServiceUnavailable
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.offer_form import offer_reason
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.provider_access import unavailable_message
from lotse_web.entrypoints.security import ProviderSession, WebDep
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.provider_views import import_outcome

__all__ = ["router"]

router = APIRouter()

MAX_BYTES = 5_000_000  # far more than the catalog's 1000 rows need
MODES = ("all_or_nothing", "partial")
LABELS = {"file": N_("File"), "mode": N_("If some rows have problems")}
_MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json"}


def _page(request: Request, state: FormState, outcome: Any = None, status: int = 200) -> Response:
    return render(request, "provider/import.html",
                  {"state": state, "outcome": outcome}, status=status)  # fmt: skip


@router.get("/provider/import", summary="The form to import offers from a file.")
async def import_form(request: Request, _session: ProviderSession) -> Response:
    return _page(request, FormState({"mode": "all_or_nothing"}, labels=LABELS))


def _media_type(upload: UploadFile) -> str | None:
    name = (upload.filename or "").lower()
    for ending, media_type in _MEDIA_TYPES.items():
        if name.endswith(ending):
            return media_type
    given = (upload.content_type or "").split(";")[0].strip()
    return given if given in _MEDIA_TYPES.values() else None


@router.post("/provider/import", summary="Import offers from a CSV or JSON file.")
async def import_file(request: Request, session: ProviderSession, web: WebDep) -> Response:
    form = await request.form()
    try:
        return await _imported(request, form, session, web)
    finally:
        await form.close()  # the upload's temporary file


async def _imported(request: Request, form: FormData, session: Session, web: Web) -> Response:
    mode = str(form.get("mode", ""))
    mode = mode if mode in MODES else "all_or_nothing"
    upload = form.get("file")
    values = {"mode": mode}
    problem, media_type, content = None, "", b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = _("Please choose a file.")
    elif not (media_type := _media_type(upload) or ""):
        problem = _("Please choose a CSV file (.csv) or a JSON file (.json).")
    elif len(content := await upload.read(MAX_BYTES + 1)) > MAX_BYTES:
        problem = _("The file is too large: at most 5 MB.")
    elif not content.strip():
        problem = _("The file is empty.")
    if problem is not None:
        return _page(request, FormState(values, {"file": [problem]}, LABELS), status=422)
    token = session.user.api_token
    try:
        report = await web.catalog.import_offers(token, content, media_type, mode)
        stored = True
    except Invalid as exc:
        if "rows" not in exc.problem:  # the file as a whole: its header, its format, its size
            reasons = [offer_reason(e.reason) for e in exc.field_errors] or [exc.detail or ""]
            return _page(request, FormState(values, {"file": reasons}, LABELS), status=422)
        report, stored = exc.problem, False
    except ServiceUnavailable:
        state = FormState(values, {"body": [unavailable_message()]}, LABELS)
        return _page(request, state, status=503)
    created = list(report.get("created") or [])
    titles: dict[str, Any] = {}
    for start in range(0, len(created), 100):  # the catalog gives at most 100 by id a call
        titles |= await web.catalog.offers_by_id(token, created[start : start + 100])
    outcome = import_outcome(
        report, titles, offer_reason, stored=stored, spreadsheet=media_type == "text/csv"
    )
    return _page(request, FormState(values, labels=LABELS), outcome,
                 status=200 if stored else 422)  # fmt: skip


@router.get("/provider/import/template.csv", summary="The CSV template, from the catalog.")
async def template(_request: Request, session: ProviderSession, web: WebDep) -> Response:
    answer = await web.catalog.import_template(session.user.api_token)
    disposition = answer.headers.get(
        "content-disposition", 'attachment; filename="lotse-angebote-vorlage.csv"'
    )
    return Response(answer.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})  # fmt: skip
