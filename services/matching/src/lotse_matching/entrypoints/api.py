"""Matching's ASGI app: the Kafka subscribers plus a small HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.entrypoints.subscribers import build_broker
from lotse_shared.http import health_router
from lotse_shared.problems import install_problem_handlers

__all__ = ["create_app"]


def create_app(matching: Matching | None = None) -> FastAPI:
    """``uvicorn --factory lotse_matching.entrypoints.api:create_app``."""
    matching = matching or bootstrap(MatchingSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await matching.runtime.start()
        broker = build_broker(matching)
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
            await matching.runtime.stop()

    app = FastAPI(
        title="Lotse matching",
        version="1",
        description="Proposes offers that fit a need and says why; the advisor decides.",
        lifespan=lifespan,
    )
    app.state.matching = matching
    install_problem_handlers(app)
    app.include_router(health_router(matching.runtime.readiness))

    @app.get(
        "/v1/needs/{need_id}/matches", tags=["matches"], summary="Matches of one need, best first."
    )
    async def need_matches(need_id: str, request: Request) -> list[dict[str, Any]]:
        async with matching.uow() as uow:
            return list(await uow.matches.for_need(need_id))

    return app
