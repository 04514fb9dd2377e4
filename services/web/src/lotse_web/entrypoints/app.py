"""The web app's ASGI app: pages, static files, operations, and errors turned into pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from lotse_shared.http import ObservedRequests, health_router
from lotse_shared.metrics import metrics_router
from lotse_web.adapters.api import Forbidden, NotFound, ServiceUnavailable, Unauthorised
from lotse_web.bootstrap import Web, bootstrap
from lotse_web.config import WebSettings
from lotse_web.entrypoints import (
    account,
    advisor,
    advisor_account,
    coordinator,
    directory,
    finder,
    offers,
    problem_reports,
    provider,
    review_queue,
    sign_in,
)
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import (
    CsrfRejected,
    RoleRefused,
    SecuredPages,
    SignInRequired,
)
from lotse_web.i18n import gettext_ as _

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _page(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "errors/error.html", {"title": title, "message": message}, status=status)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        target = "/sign-in?next=" + request.url.path + ("&expired=true" if exc.expired else "")
        if "hx-request" in request.headers:  # a poll of a page whose session ended
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Unauthorised)
    async def token_refused(request: Request, _exc: Unauthorised) -> Response:
        return RedirectResponse("/sign-in?expired=true", status_code=303)

    @app.exception_handler(RoleRefused)
    async def wrong_desk(request: Request, _exc: RoleRefused) -> Response:
        return _page(request, 403, _("Not for your role"),
                     _("This page belongs to another desk. Use the menu to find yours."))  # fmt: skip

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        return _page(request, 403, _("Not allowed"), _("Your role does not allow this."))

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _exc: CsrfRejected) -> Response:
        return _page(request, 403, _("The form could not be accepted"),
                     _("The form was not sent from this page, or it is too old. Nothing was "
                       "changed. Please go back, reload the page and try again."))  # fmt: skip

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _exc: NotFound) -> Response:
        return _not_found(request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return _not_found(request)
        return _page(request, exc.status_code, _("Something went wrong"), str(exc.detail))

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        if request.url.path.startswith("/angebote/"):
            return finder.unavailable_page(request)
        response = _page(request, 503, _("Please try again shortly"),
                         _("Lotse cannot reach one of its services right now. Nothing was "
                           "changed. Please try again in a moment."))  # fmt: skip
        response.headers["Retry-After"] = "5"
        return response


def _not_found(request: Request) -> Response:
    return _page(request, 404, _("Page not found"),
                 _("There is nothing here, or it is not yours to see. Check the address, "
                   "or start again from the menu."))  # fmt: skip


def create_app(web: Web | None = None) -> FastAPI:
    """``uvicorn --factory lotse_web.entrypoints.app:create_app``."""
    web = web or bootstrap(WebSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await web.start()  # an issuer that does not answer stops it (serve() said why already)
        purging = asyncio.create_task(_purge_ended_sessions(web), name="session-purge")
        try:
            yield
        finally:
            purging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purging
            await web.stop()

    app = FastAPI(
        title="Lotse web",
        version="1",
        description="Pages for advisors, providers and coordinators.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.web = web
    _install_error_pages(app)
    app.include_router(
        health_router(
            lambda: {
                "catalog": web.catalog.ping,
                "matching": web.matching.ping,
                "notifications": web.notifications.ping,
            }
        )
    )
    app.include_router(metrics_router(_nothing_to_refresh))
    static = resources.files("lotse_web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    desks = (sign_in, account, advisor, advisor_account, offers, problem_reports, provider,
             coordinator, review_queue, directory, finder)  # fmt: skip
    for desk in desks:
        app.include_router(desk.router)
    app.add_middleware(SecuredPages, web=web)
    app.add_middleware(ObservedRequests)
    return app


PURGE_EVERY_SECONDS = 600


async def _purge_ended_sessions(web: Web) -> None:
    """A session nobody comes back to is never looked up again: delete it once it has ended.

    So are sign-ins nobody came back from.
    """
    while True:
        try:
            purged = await web.sessions.purge()
            if purged:
                log.info("deleted %d ended sessions", purged)
            if abandoned := await web.sign_ins.purge():
                log.info("deleted %d sign-ins nobody came back from", abandoned)
        except Exception:
            log.warning("deleting ended sessions failed; trying again later", exc_info=True)
        await asyncio.sleep(PURGE_EVERY_SECONDS)


async def _nothing_to_refresh() -> None:
    """The web app keeps no backlog to report; its metrics are the requests'."""
