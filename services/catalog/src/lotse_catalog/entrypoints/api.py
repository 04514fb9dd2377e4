"""The catalog's HTTP API. Routes parse, call a use case, and map errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.domain.commands import PublishOffer, RegisterAdvisor, RegisterNeed
from lotse_catalog.domain.errors import Conflict, InvalidField, NotFound
from lotse_catalog.entrypoints.schemas import (
    AdvisorCreate,
    AdvisorPublic,
    NeedCreate,
    NeedPublic,
    OfferCreate,
    OfferPublic,
)
from lotse_catalog.service_layer import handlers
from lotse_shared.http import health_router
from lotse_shared.problems import install_problem_handlers, problem

__all__ = ["create_app"]


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(_catalog)]


def create_app(catalog: Catalog | None = None) -> FastAPI:
    """The ASGI app; ``uvicorn --factory lotse_catalog.entrypoints.api:create_app``."""
    catalog = catalog or bootstrap(CatalogSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await catalog.runtime.start()
        try:
            yield
        finally:
            await catalog.runtime.stop()

    app = FastAPI(
        title="Lotse catalog",
        version="1",
        description="Providers publish offers; advisors register pseudonymous needs.",
        lifespan=lifespan,
    )
    app.state.catalog = catalog
    install_problem_handlers(app)
    app.include_router(health_router(catalog.runtime.readiness))

    @app.exception_handler(InvalidField)
    async def invalid_field(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidField)
        return problem(
            422, "Invalid request", str(exc), errors=[{"field": exc.field, "reason": exc.reason}]
        )

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return problem(404, "Not found", str(exc))

    @app.exception_handler(Conflict)
    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return problem(409, "Conflict", str(exc))

    @app.post("/v1/advisors", status_code=201, tags=["directory"], summary="Register an advisor.")
    async def post_advisor(body: AdvisorCreate, catalog: CatalogDep) -> AdvisorPublic:
        command = RegisterAdvisor(name=body.name, email=str(body.email), advisor_id=body.id)
        advisor = await handlers.register_advisor(command, catalog.uow())
        return AdvisorPublic(**asdict(advisor))

    @app.post("/v1/offers", status_code=201, tags=["offers"], summary="Publish an offer.")
    async def post_offer(body: OfferCreate, catalog: CatalogDep) -> OfferPublic:
        command = PublishOffer(
            title=body.title,
            category=body.category,
            municipality=body.municipality,
            provider_id=body.provider_id,
        )
        offer = await handlers.publish_offer(command, catalog.uow(), catalog.region)
        return OfferPublic(**asdict(offer))

    @app.post("/v1/needs", status_code=201, tags=["needs"], summary="Register a need.")
    async def post_need(body: NeedCreate, catalog: CatalogDep) -> NeedPublic:
        command = RegisterNeed(
            advisor_id=body.advisor_id,
            municipality=body.municipality,
            categories=tuple(body.categories),
            case_reference=body.case_reference,
        )
        need = await handlers.register_need(command, catalog.uow(), catalog.region)
        return NeedPublic(**asdict(need))

    return app
