"""The catalog's ASGI app: routes, error mapping, and the jobs that run beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Security
from fastapi.responses import JSONResponse

from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.domain.errors import (
    CatalogError,
    Conflict,
    Forbidden,
    InvalidField,
    MalformedHeader,
    NotFound,
    StaleVersion,
    VersionRequired,
)
from lotse_catalog.domain.model import now
from lotse_catalog.entrypoints import (
    routes_directory,
    routes_needs,
    routes_offer_import,
    routes_offers,
    routes_public,
    routes_reports,
    routes_reviews,
)
from lotse_catalog.entrypoints.public_rate import RateLimited, RequestBudget
from lotse_catalog.service_layer.needs import erase_expired_needs
from lotse_shared.auth import BEARER, TokenVerifier
from lotse_shared.http import BodySizeLimit, install_operations
from lotse_shared.oidc import verifier_from
from lotse_shared.problems import install_problem_handlers, problem

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_STATUS: dict[type[CatalogError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    Forbidden: (403, "Forbidden"),
    Conflict: (409, "Conflict"),
    StaleVersion: (412, "Precondition failed"),
    VersionRequired: (428, "Precondition required"),
}


async def _catalog_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidField):
        return problem(
            422, "Invalid request", str(exc), errors=[{"field": exc.field, "reason": exc.reason}]
        )
    if isinstance(exc, MalformedHeader):
        return problem(
            400, "Bad request", str(exc), errors=[{"field": exc.header, "reason": exc.reason}]
        )
    status, title = next(
        (known for kind, known in _STATUS.items() if isinstance(exc, kind)), (400, "Bad request")
    )
    return problem(status, title, str(exc))


async def _rate_limited(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    response = problem(429, "Too many requests", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def expire_needs_forever(catalog: Catalog) -> None:
    """Erase expired needs now and then; safe on every instance at once."""
    while True:
        try:
            erased = await erase_expired_needs(catalog.uow(), now().date())
            if erased:
                log.info("erased %d expired needs", erased)
        except Exception:
            log.exception("erasing expired needs failed; will retry")
        await asyncio.sleep(catalog.settings.expiry_interval_seconds)


def create_app(catalog: Catalog | None = None, verifier: TokenVerifier | None = None) -> FastAPI:
    """The ASGI app; ``uvicorn --factory lotse_catalog.entrypoints.api:create_app``."""
    catalog = catalog or bootstrap(CatalogSettings())
    verifier = verifier or verifier_from(catalog.settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await verifier.start()
        await catalog.runtime.start()
        catalog.runtime.spawn(expire_needs_forever(catalog), "need-expiry")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await catalog.runtime.stop()
            await verifier.close()

    app = FastAPI(
        title="Lotse catalog",
        version="1",
        description=(
            "The system of record for providers, advisors, offers and needs. Providers publish offers; "
            "advisors register pseudonymous needs and report problems with offers; admins keep the "
            "directory and, where CATALOG_REVIEW_POLICY asks for it, review offers before they are "
            "published. Every change is published to Kafka. Authenticate with "
            "`Authorization: Bearer <token>`."
        ),
        lifespan=lifespan,
    )
    app.state.catalog = catalog
    app.state.verifier = verifier
    app.add_middleware(BodySizeLimit, max_bytes=catalog.settings.max_body_bytes)
    install_operations(app, catalog.runtime)
    install_problem_handlers(app)
    app.add_exception_handler(CatalogError, _catalog_error)
    app.add_exception_handler(RateLimited, _rate_limited)
    settings = catalog.settings
    app.state.public_budget = RequestBudget(settings.public_per_minute, settings.public_burst)
    app.include_router(routes_public.router)  # unsigned: published offers only
    for module in (
        routes_directory,
        routes_offers,
        routes_offer_import,
        routes_reviews,
        routes_reports,
        routes_needs,
    ):
        app.include_router(module.router, dependencies=[Security(BEARER)])
    return app
