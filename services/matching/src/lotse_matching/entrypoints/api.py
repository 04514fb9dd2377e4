"""Matching's ASGI app: the Kafka subscribers plus the HTTP API for advisors, providers and coordinators."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.entrypoints.subscribers import build_broker
from lotse_matching.service_layer import queries
from lotse_shared.auth import BEARER, JwtCodec, require_role, resolve_secret
from lotse_shared.contracts import DeclineReason
from lotse_shared.http import install_operations
from lotse_shared.identity import Principal, Role
from lotse_shared.problems import PROBLEM_RESPONSES, install_problem_handlers, problem

__all__ = ["create_app"]

Advisor = Annotated[Principal, Depends(require_role(Role.ADVISOR))]
ProviderOrAdmin = Annotated[Principal, Depends(require_role(Role.PROVIDER, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]


class DecisionIn(BaseModel):
    """The advisor's decision on a proposed match."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["accepted", "declined"] = Field(
        description="accepted or declined.", examples=["declined"]
    )
    decline_reason: DeclineReason | None = Field(
        default=None, description="Why it was declined (a code).", examples=["schedule"]
    )


async def _matching(request: Request) -> Matching:
    matching: Matching = request.app.state.matching
    return matching


MatchingDep = Annotated[Matching, Depends(_matching)]
router = APIRouter(tags=["matches"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/needs/{need_id}/matches", summary="The need's proposed offers, best first, with reasons."
)
async def need_matches(
    need_id: str,
    principal: Advisor,
    matching: MatchingDep,
    include_ended: Annotated[
        bool,
        Query(description="Also the matches that ended, after the active ones, with why."),
    ] = False,
) -> list[dict[str, Any]]:
    found = await queries.matches_of_need(matching.uow(), principal, need_id, ended=include_ended)
    if include_ended:
        return found
    return [
        {k: v for k, v in m.items() if k not in ("invalidated_at", "invalidation_reason", "status")}
        for m in found
    ]


class NeedCountsPublic(BaseModel):
    """One of the caller's needs and how many matches it has."""

    need_id: str = Field(description="One of the caller's needs.")
    active: int = Field(description="Its active matches.", examples=[3])
    new: int = Field(description="Of those, found after `since`.", examples=[1])


@router.get(
    "/v1/match-counts", summary="For each of the caller's needs: how many matches, how many new."
)
async def match_counts(
    principal: Advisor,
    matching: MatchingDep,
    since: Annotated[
        datetime | None, Query(description="Count as new what was found after this moment.")
    ] = None,
    need_id: Annotated[
        list[str] | None,
        Query(max_length=500, description="Only these of the caller's needs (repeatable)."),
    ] = None,
) -> list[NeedCountsPublic]:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    rows = await queries.match_counts(matching.uow(), principal, since, only=need_id)
    return [NeedCountsPublic(need_id=r.need_id, active=r.active, new=r.new) for r in rows]


@router.get(
    "/v1/matches/{match_id}",
    summary="One match, as an email links to it: score, reasons, and whether it still holds.",
)
async def one_match(match_id: str, principal: Advisor, matching: MatchingDep) -> dict[str, Any]:
    return await queries.match(matching.uow(), principal, match_id)


@router.get(
    "/v1/offers/{offer_id}/matches",
    summary="How many needs the offer is proposed for (counts only).",
)
async def offer_matches(
    offer_id: str, principal: ProviderOrAdmin, matching: MatchingDep
) -> dict[str, int]:
    return await queries.offer_counts(matching.uow(), principal, offer_id)


@router.post("/v1/matches/{match_id}/decision", summary="Accept or decline a proposed match.")
async def decide(
    match_id: str, body: DecisionIn, principal: Advisor, matching: MatchingDep
) -> dict[str, Any]:
    event = await queries.decide(
        matching.uow(), principal, match_id, body.decision, body.decline_reason
    )
    return event.model_dump(mode="json")


@router.get(
    "/v1/stats/coverage",
    summary="Where offers are missing: needs and offers per municipality and kind (JSON or CSV).",
)
async def coverage(
    _: Admin, matching: MatchingDep, format: Literal["json", "csv"] = "json"
) -> Response:
    rows = [asdict(r) for r in await queries.coverage(matching.uow())]
    names = {r["municipality"]: matching.policy.region.name_of(r["municipality"]) for r in rows}
    rows = [
        {"municipality": r["municipality"], "municipality_name": names[r["municipality"]]} | r
        for r in rows
    ]
    if format == "json":
        return JSONResponse(rows)
    out = io.StringIO()
    writer = csv.DictWriter(
        out,
        fieldnames=[
            "municipality", "municipality_name", "category", "open_needs", "needs_without_match",
            "published_offers", "free_places",
        ],
    )  # fmt: skip
    writer.writeheader()
    writer.writerows(rows)
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


def create_app(matching: Matching | None = None) -> FastAPI:
    """``uvicorn --factory lotse_matching.entrypoints.api:create_app``."""
    matching = matching or bootstrap(MatchingSettings())
    secret = (
        matching.settings.jwt_secret.get_secret_value() if matching.settings.jwt_secret else None
    )
    codec = JwtCodec(resolve_secret(secret, matching.settings.environment))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await matching.runtime.start()
        await matching.build_index()
        broker = build_broker(matching)
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
            with contextlib.suppress(Exception):
                await matching.runtime.stop()

    app = FastAPI(
        title="Lotse matching",
        version="1",
        description="Proposes offers that fit a need and says why; the advisor decides.",
        lifespan=lifespan,
    )
    app.state.matching = matching
    app.state.jwt = codec
    install_problem_handlers(app)

    @app.exception_handler(queries.MatchNotFound)
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return problem(404, "Not found", str(exc))

    @app.exception_handler(queries.NotAllowed)
    async def not_allowed(_: Request, exc: Exception) -> JSONResponse:
        return problem(403, "Forbidden", str(exc))

    install_operations(app, matching.runtime)
    app.include_router(router, dependencies=[Security(BEARER)])
    return app
