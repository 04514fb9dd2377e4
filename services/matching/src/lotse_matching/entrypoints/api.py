"""Matching's ASGI app: the Kafka subscribers plus the HTTP API for advisors, providers and coordinators."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request, Security
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.domain.eligibility import EligibilityHint
from lotse_matching.entrypoints import routes_coverage, routes_rules
from lotse_matching.entrypoints.dependencies import Advisor, MatchingDep, ProviderOrAdmin
from lotse_matching.entrypoints.subscribers import build_broker
from lotse_matching.service_layer import queries
from lotse_matching.service_layer.coverage import take_coverage_snapshot
from lotse_matching.service_layer.errors import MatchingError, NotAllowed, NotFound
from lotse_shared.auth import BEARER, TokenVerifier
from lotse_shared.contracts import (
    DeclineReason,
    InvalidationReason,
    MatchDecided,
    MatchReason,
    MatchStatus,
)
from lotse_shared.database import as_utc
from lotse_shared.http import install_operations
from lotse_shared.oidc import verifier_from
from lotse_shared.problems import PROBLEM_RESPONSES, install_problem_handlers, problem

__all__ = ["create_app"]

log = logging.getLogger(__name__)


class DecisionIn(BaseModel):
    """The advisor's decision on a proposed match."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["accepted", "declined"] = Field(
        description="accepted or declined.", examples=["declined"]
    )
    decline_reason: DeclineReason | None = Field(
        default=None, description="Why it was declined (a code).", examples=["schedule"]
    )


class MatchPublic(BaseModel):
    """A proposed offer for a need: how well it fits and why, and what the advisor decided."""

    id: str = Field(description="Id of the (need, offer) pair.")
    need_id: str = Field(description="Id of the need.")
    offer_id: str = Field(description="Id of the offer.")
    score: float = Field(ge=0, le=1, description="How well the offer fits, 0 to 1.")
    reasons: list[MatchReason] = Field(description="Why the offer fits, in plain words.")
    eligibility: EligibilityHint = Field(description="On what terms the person may join.")
    found_at: datetime = Field(description="When the match was found (UTC).")
    decision: Literal["accepted", "declined"] | None = Field(
        description="The advisor's decision, if any."
    )
    decline_reason: DeclineReason | None = Field(description="Why it was declined (a code).")
    decided_at: datetime | None = Field(description="When the advisor decided (UTC).")


class MatchRecordPublic(MatchPublic):
    """A match, active or ended, with whether it still holds and, if not, why and since when."""

    status: MatchStatus = Field(description="active, or invalidated once it no longer holds.")
    invalidated_at: datetime | None = Field(description="When it stopped holding (UTC).")
    invalidation_reason: InvalidationReason | None = Field(description="Why it stopped holding.")


class MatchCountsPublic(BaseModel):
    """How many needs an offer is proposed for: counts only, never the needs."""

    active: int = Field(description="Its active matches.", examples=[3])
    accepted: int = Field(description="Matches advisors accepted.", examples=[1])
    declined: int = Field(description="Matches advisors declined.", examples=[0])


router = APIRouter(tags=["matches"], responses=PROBLEM_RESPONSES)

_STATUS: dict[type[MatchingError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    NotAllowed: (403, "Forbidden"),
}


async def _matching_error(_: Request, exc: Exception) -> JSONResponse:
    status, title = next(
        (known for kind, known in _STATUS.items() if isinstance(exc, kind)), (400, "Bad request")
    )
    return problem(status, title, str(exc))


@router.get(
    "/v1/needs/{need_id}/matches",
    summary="The need's proposed offers, best first, with reasons.",
    description="With include_ended, each match also says whether it still holds, and the "
    "ended ones follow the active ones.",
)
async def need_matches(
    need_id: str,
    principal: Advisor,
    matching: MatchingDep,
    include_ended: Annotated[
        bool,
        Query(description="Also the matches that ended, after the active ones, with why."),
    ] = False,
) -> list[MatchRecordPublic] | list[MatchPublic]:
    found = await queries.matches_of_need(matching.uow(), principal, need_id, ended=include_ended)
    if include_ended:
        return [MatchRecordPublic.model_validate(m) for m in found]
    return [MatchPublic.model_validate(m) for m in found]


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
    if since is not None:
        since = as_utc(since)  # a time without a zone is meant in UTC
    rows = await queries.match_counts(matching.uow(), principal, since, only=need_id)
    return [NeedCountsPublic(need_id=r.need_id, active=r.active, new=r.new) for r in rows]


@router.get(
    "/v1/matches/{match_id}",
    summary="One match, as an email links to it: score, reasons, and whether it still holds.",
)
async def one_match(match_id: str, principal: Advisor, matching: MatchingDep) -> MatchRecordPublic:
    return MatchRecordPublic.model_validate(
        await queries.match(matching.uow(), principal, match_id)
    )


@router.get(
    "/v1/offers/{offer_id}/matches",
    summary="How many needs the offer is proposed for (counts only).",
)
async def offer_matches(
    offer_id: str, principal: ProviderOrAdmin, matching: MatchingDep
) -> MatchCountsPublic:
    return MatchCountsPublic.model_validate(
        await queries.offer_counts(matching.uow(), principal, offer_id)
    )


class OfferCountsPublic(MatchCountsPublic):
    """How many needs one offer is proposed for: counts only."""

    offer_id: str = Field(description="One of the offers asked for.", examples=["o-1"])


@router.get(
    "/v1/offer-match-counts",
    summary="For many offers at once: how many needs each is proposed for (counts only).",
    description=(
        "One row per offer the caller may see, in the order asked: a provider sees only its "
        "own; unknown offers and other providers' are simply absent."
    ),
)
async def offer_match_counts(
    principal: ProviderOrAdmin,
    matching: MatchingDep,
    offer_id: Annotated[
        list[str],
        Query(min_length=1, max_length=200, description="The offers (repeatable), 1 to 200."),
    ],
) -> list[OfferCountsPublic]:
    rows = await queries.offer_match_counts(matching.uow(), principal, offer_id)
    return [OfferCountsPublic.model_validate(asdict(r)) for r in rows]


@router.post("/v1/matches/{match_id}/decision", summary="Accept or decline a proposed match.")
async def decide(
    match_id: str, body: DecisionIn, principal: Advisor, matching: MatchingDep
) -> MatchDecided:
    return await queries.decide(
        matching.uow(), principal, match_id, body.decision, body.decline_reason
    )


async def snapshot_coverage_forever(matching: Matching) -> None:
    """Take today's coverage snapshot on start and then every few minutes.

    Safe on every instance at once; a failed round is logged and the next
    one tries again.
    """
    while True:
        try:
            await take_coverage_snapshot(
                matching.uow(), matching.policy.region.municipalities, datetime.now(UTC).date()
            )
        except Exception:
            log.exception("taking the coverage snapshot failed; will retry")
        await asyncio.sleep(matching.settings.coverage_snapshot_minutes * 60)


def create_app(matching: Matching | None = None, verifier: TokenVerifier | None = None) -> FastAPI:
    """``uvicorn --factory lotse_matching.entrypoints.api:create_app``."""
    matching = matching or bootstrap(MatchingSettings())
    verifier = verifier or verifier_from(matching.settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await verifier.start()
        await matching.runtime.start()
        await matching.build_index()
        matching.runtime.spawn(snapshot_coverage_forever(matching), "coverage-snapshot")
        broker = build_broker(matching)
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
            with contextlib.suppress(Exception):
                await matching.runtime.stop()
            await verifier.close()

    app = FastAPI(
        title="Lotse matching",
        version="1",
        description="Proposes offers that fit a need and says why; the advisor decides.",
        lifespan=lifespan,
    )
    app.state.matching = matching
    app.state.verifier = verifier
    install_problem_handlers(app)
    app.add_exception_handler(MatchingError, _matching_error)

    install_operations(app, matching.runtime)
    for routes in (router, routes_coverage.router):
        app.include_router(routes, dependencies=[Security(BEARER)])
    app.include_router(routes_rules.router)  # unsigned: the district's published policy
    return app
