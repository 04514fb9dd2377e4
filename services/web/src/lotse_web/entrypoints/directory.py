"""The coordinators' directory: providers and advisors listed, found, registered, changed
and deactivated.

Both kinds of entry have the same pages; :class:`Entries` says what differs.
The pages of each kind are added to the router by :func:`_add_pages`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lotse_web.adapters.api import ApiError, FieldError, Invalid, NotFound, ServiceUnavailable
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.choices import municipalities
from lotse_web.entrypoints.directory_form import (
    ADVISORS,
    PROVIDERS,
    Entries,
    entry_errors,
    matches_search,
)
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import AdminSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")
Json = dict[str, Any]


def see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


@dataclass(frozen=True)
class DirectoryRow:
    id: str
    name: str
    email: str
    organisation: str
    municipality: str
    active: bool


def _row(entries: Entries, entry: Json, web: Web) -> DirectoryRow:
    town = entry.get("municipality")
    return DirectoryRow(
        entry["id"],
        entry["name"],
        str(entry.get(entries.email_field) or ""),
        str(entry.get("organisation") or entry.get("website") or ""),
        web.region.name_of(town) if town else "",
        bool(entry.get("active", True)),
    )


async def _all(web: Web, entries: Entries, token: str) -> list[Json]:
    if entries is PROVIDERS:
        return await web.catalog.providers(token)
    return await web.catalog.advisors(token)


async def _one(web: Web, entries: Entries, token: str, entry_id: str) -> Json:
    if not _ID.fullmatch(entry_id):  # only an id's characters go into the API's path
        raise NotFound("web", 404, "Not found")
    if entries is PROVIDERS:
        return await web.catalog.provider(token, entry_id)
    return (await web.catalog.advisor(token, entry_id))[0]


def _writes(web: Web, entries: Entries) -> tuple[
    Callable[[str, Json], Awaitable[Json]],
    Callable[[str, str, Json], Awaitable[Json]],
    Callable[[str, str], Awaitable[Json]],
]:  # fmt: skip
    """Register, change, deactivate: the catalog's calls for this kind."""
    catalog = web.catalog
    if entries is PROVIDERS:
        return catalog.register_provider, catalog.change_provider, catalog.deactivate_provider
    return catalog.register_advisor, catalog.change_advisor, catalog.deactivate_advisor


def _form(request: Request, web: Web, entries: Entries, state: FormState, *, action: str,
          entry: Json | None = None, status: int = 200) -> Response:  # fmt: skip
    context = {
        "entries": entries,
        "state": state,
        "action": action,
        "entry": entry,
        "municipalities": municipalities(web.region),
    }
    return render(request, f"coordinator/{entries.kind}_form.html", context, status=status)


def _refused(entries: Entries, exc: ApiError) -> dict[str, list[str]]:
    """A refused registration or change in the form's words; other refusals go on as pages."""
    if not isinstance(exc, Invalid) and exc.status != 409:
        raise exc
    if exc.status == 409:  # the only conflict on registering: the id is taken
        return {"id": [_("There is already an entry with this id. Choose another one, "
                         "or leave the field empty.")]}  # fmt: skip
    return entry_errors(entries, exc.field_errors or [FieldError("", exc.detail or exc.title)])


def _unavailable() -> dict[str, list[str]]:
    return {"body": [_("Lotse cannot reach one of its services right now. Nothing was saved; "
                       "your entries are still here. Please try again in a moment.")]}  # fmt: skip


def _add_pages(entries: Entries) -> None:
    path = entries.path

    async def listing(
        request: Request, session: AdminSession, web: WebDep, q: str = ""
    ) -> Response:
        query = q.strip()[:100]
        found = [e for e in await _all(web, entries, session.user.api_token)
                 if not query or matches_search(entries, e, query)]  # fmt: skip
        found.sort(key=lambda e: (not e.get("active", True), str(e["name"]).casefold()))
        rows = [_row(entries, e, web) for e in found]
        return render(request, "coordinator/directory.html",
                      {"entries": entries, "rows": rows, "q": query})  # fmt: skip

    async def new(request: Request, _session: AdminSession, web: WebDep) -> Response:
        state = FormState({"language": "de"}, labels=entries.labels)
        return _form(request, web, entries, state, action=f"{path}/new")

    async def register(request: Request, session: AdminSession, web: WebDep) -> Response:
        values = entries.values(await request.form())
        add, _change, _off = _writes(web, entries)
        try:
            entry = await add(session.user.api_token, entries.new_body(values))
        except ApiError as exc:
            state = FormState(values, _refused(entries, exc), labels=entries.labels)
            return _form(request, web, entries, state, action=f"{path}/new", status=422)
        except ServiceUnavailable:
            state = FormState(values, _unavailable(), labels=entries.labels)
            return _form(request, web, entries, state, action=f"{path}/new", status=503)
        await web.sessions.flash(session, "success",
                                 _("%(name)s was registered.", name=entry["name"]))  # fmt: skip
        return see_other(path)

    async def edit(request: Request, entry_id: str, session: AdminSession, web: WebDep) -> Response:
        entry = await _one(web, entries, session.user.api_token, entry_id)
        state = FormState(entries.from_entry(entry), labels=entries.labels)
        return _form(request, web, entries, state, action=f"{path}/{entry_id}/edit", entry=entry)

    async def change(
        request: Request, entry_id: str, session: AdminSession, web: WebDep
    ) -> Response:
        token = session.user.api_token
        entry = await _one(web, entries, token, entry_id)
        values = entries.values(await request.form()) | {"id": entry["id"]}
        _add, change_entry, _off = _writes(web, entries)
        action = f"{path}/{entry_id}/edit"
        try:
            await change_entry(token, entry["id"], entries.patch(values))
        except ApiError as exc:
            state = FormState(values, _refused(entries, exc), labels=entries.labels)
            return _form(request, web, entries, state, action=action, entry=entry, status=422)
        except ServiceUnavailable:
            state = FormState(values, _unavailable(), labels=entries.labels)
            return _form(request, web, entries, state, action=action, entry=entry, status=503)
        await web.sessions.flash(session, "success", _("Your changes were saved."))
        return see_other(path)

    async def confirm(
        request: Request, entry_id: str, session: AdminSession, web: WebDep
    ) -> Response:
        token = session.user.api_token
        entry = await _one(web, entries, token, entry_id)
        offers = (await web.catalog.published_offer_count(token, entry["id"])
                  if entries is PROVIDERS else 0)  # fmt: skip
        return render(request, "coordinator/deactivate.html",
                      {"entries": entries, "entry": entry, "offers": offers})  # fmt: skip

    async def deactivate(
        request: Request, entry_id: str, session: AdminSession, web: WebDep
    ) -> Response:
        entry = await _one(web, entries, session.user.api_token, entry_id)
        _add, _change, switch_off = _writes(web, entries)
        try:
            await switch_off(session.user.api_token, entry["id"])
        except ApiError as exc:
            if exc.status != 409:
                raise
            await _say(
                web, session, "warning", _("%(name)s was inactive already.", name=entry["name"])
            )
            return see_other(path)
        await _say(web, session, "success", _("%(name)s is deactivated.", name=entry["name"]))
        return see_other(path)

    for route, method, endpoint, summary in (
        ("", "GET", listing, "The directory's entries of this kind, searchable."),
        ("/new", "GET", new, "The form to register an entry."),
        ("/new", "POST", register, "Register an entry."),
        ("/{entry_id}/edit", "GET", edit, "The form to change an entry."),
        ("/{entry_id}/edit", "POST", change, "Change an entry."),
        ("/{entry_id}/deactivate", "GET", confirm, "What deactivating does; asks to confirm."),
        ("/{entry_id}/deactivate", "POST", deactivate, "Deactivate an entry."),
    ):
        router.add_api_route(path + route, endpoint, methods=[method], summary=summary)


async def _say(web: Web, session: Session, kind: str, text: str) -> None:
    await web.sessions.flash(session, kind, text)


_add_pages(PROVIDERS)
_add_pages(ADVISORS)
