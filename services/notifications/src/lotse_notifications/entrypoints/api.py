"""Notifications' ASGI app: the Kafka subscribers, the sender and the delivery log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query, Security
from pydantic import BaseModel, Field

from lotse_notifications.bootstrap import Notifications, bootstrap
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.domain.model import DeliveryStatus
from lotse_notifications.entrypoints.subscribers import build_broker
from lotse_notifications.service_layer.delivery_problems import delivery_problems
from lotse_shared.auth import BEARER, TokenVerifier, require_role
from lotse_shared.contracts import InvalidationReason
from lotse_shared.http import install_operations
from lotse_shared.identity import Principal, Role
from lotse_shared.oidc import verifier_from
from lotse_shared.problems import PROBLEM_RESPONSES, install_problem_handlers

__all__ = ["create_app", "send_forever"]

log = logging.getLogger(__name__)

AdvisorOrAdmin = Annotated[Principal, Depends(require_role(Role.ADVISOR, Role.ADMIN))]
ProviderOrAdmin = Annotated[Principal, Depends(require_role(Role.PROVIDER, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
# A provider's or the KI's email is never below anyone's minimum score.
ReviewStatus = Literal["pending", "sent", "failed", "cancelled"]


class NotificationPublic(BaseModel):
    """One thing to tell an advisor about a match, and how far it got."""

    id: str = Field(description="Id of the delivery: one per advisor, match and kind.")
    advisor_id: str = Field(description="Advisor it is for.", examples=["adv-schwerte-1"])
    match_id: str = Field(description="The match it is about.")
    kind: Literal["match_found", "match_invalidated"] = Field(
        description="A new match, or a notice that one ended.", examples=["match_found"]
    )
    need_reference: str | None = Field(
        description="The need's reference; null once the need was erased: the log then keeps "
        "that the advisor was told, not about which need.",
        examples=["UNN-7K3Q9X"],
    )
    offer_title: str = Field(description="The offer's title.", examples=["Deutschkurs B1"])
    status: DeliveryStatus = Field(
        description="pending, sent, failed (refused for good), cancelled (no longer news) "
        "or suppressed (below the advisor's minimum score).",
        examples=["sent"],
    )
    invalidation_reason: InvalidationReason | None = Field(
        description="For a notice: why the match ended.", examples=["full"]
    )
    attempts: int = Field(description="Tries that failed so far.", examples=[0])
    last_error: str | None = Field(description="The last failure's reply.", examples=[None])
    created_at: datetime = Field(description="When it was recorded (UTC).")
    due_at: datetime = Field(description="When it is due: the batching window or the digest.")
    sent_at: datetime | None = Field(description="When the server accepted it (UTC).")


class AdvisorTroublesPublic(BaseModel):
    """An advisor whose emails fail: how many for good, how many are being retried."""

    advisor_id: str = Field(description="The advisor.", examples=["adv-schwerte-1"])
    failed: int = Field(description="Deliveries refused for good in the window.", examples=[3])
    retrying: int = Field(description="Pending deliveries that failed before.", examples=[1])
    last_error: str | None = Field(
        description="The last failure's reply.", examples=["550 mailbox unavailable"]
    )
    last_failed_at: datetime | None = Field(
        description="When the last failure happened (UTC); null when not recorded.",
        examples=["2026-12-14T08:15:00Z"],
    )


class DeliveryProblemsPublic(BaseModel):
    failed: list[NotificationPublic] = Field(
        description="Deliveries refused for good in the window, newest first, at most 100.",
        examples=[[]],
    )
    advisors: list[AdvisorTroublesPublic] = Field(
        description="Advisors with a delivery refused in the window or one being retried, "
        "most failed first.",
        examples=[[]],
    )


class ReviewEmailPublic(BaseModel):
    """An email about the review of offers: to a provider about a decision, or the KI's daily
    list of offers waiting; and how far it got."""

    id: str = Field(description="Id of the email: one per decision, one per day for the KI.")
    kind: Literal["changes_requested", "approved", "rejected", "review_digest"] = Field(
        description="The decision it tells the provider of, or review_digest for the KI's.",
        examples=["changes_requested"],
    )
    recipient: str = Field(
        description="The provider's role mailbox, or the KI's.",
        examples=["info@vhs-schwerte.example"],
    )
    provider_id: str | None = Field(description="The provider; null for the KI's.")
    offer_id: str | None = Field(description="The offer decided on; null for the KI's.")
    title: str | None = Field(description="The offer's title.", examples=["Integrationskurs"])
    revision: int | None = Field(description="The revision decided on, if one was.")
    day: date | None = Field(description="For the KI's: the day it is for.")
    status: ReviewStatus = Field(
        description="pending, sent, failed (refused for good) or cancelled (the KI's, when "
        "nothing waited any more).",
        examples=["sent"],
    )
    attempts: int = Field(description="Tries that failed so far.", examples=[0])
    last_error: str | None = Field(description="The last failure's reply.", examples=[None])
    created_at: datetime = Field(description="When it was recorded (UTC).")
    due_at: datetime = Field(description="When it is due.")
    sent_at: datetime | None = Field(description="When the server accepted it (UTC).")


async def send_forever(notifications: Notifications) -> None:
    """Send due emails whenever something committed, and at least every idle interval.

    The idle interval also ends batching windows: at most that late after one closes.
    """
    while True:
        notifications.wakeup.clear()
        try:
            await notifications.send_due()
        except Exception:
            log.exception("sending due deliveries failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(notifications.wakeup.wait(), notifications.idle_interval)


def create_app(
    notifications: Notifications | None = None, verifier: TokenVerifier | None = None
) -> FastAPI:
    """``uvicorn --factory lotse_notifications.entrypoints.api:create_app``."""
    notifications = notifications or bootstrap(NotificationsSettings())
    trusted = verifier or verifier_from(notifications.settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await trusted.start()
        await notifications.runtime.start()
        broker = build_broker(notifications)
        await broker.start()
        notifications.runtime.spawn(send_forever(notifications), "sender")
        try:
            yield
        finally:
            await broker.stop()
            await notifications.runtime.stop()
            close = getattr(notifications.mailer, "close", None)
            if close is not None:
                await close()
            await trusted.close()

    app = FastAPI(
        title="Lotse notifications",
        version="1",
        description="Emails advisors about fitting offers, once per advisor and match, and "
        "providers about the review of their offers, once per decision.",
        lifespan=lifespan,
    )
    app.state.verifier = trusted
    install_problem_handlers(app)
    install_operations(app, notifications.runtime)

    @app.get(
        "/v1/notifications",
        tags=["notifications"],
        summary="The delivery log, newest first: advisors see their own, admins everyone's.",
        responses=PROBLEM_RESPONSES,
        dependencies=[Security(BEARER)],
    )
    async def delivery_log(
        principal: AdvisorOrAdmin,
        status: Annotated[DeliveryStatus | None, Query(description="Only this status.")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many.")] = 100,
    ) -> list[NotificationPublic]:
        advisor = None if principal.is_admin else principal.sub
        async with notifications.uow() as uow:
            rows = await uow.deliveries.log(advisor_id=advisor, status=status, limit=limit)
        return [NotificationPublic.model_validate(r) for r in rows]

    @app.get(
        "/v1/review-emails",
        tags=["notifications"],
        summary="The emails about offer review, newest first: providers see their own, "
        "admins all, the KI's daily ones too.",
        responses=PROBLEM_RESPONSES,
        dependencies=[Security(BEARER)],
    )
    async def review_email_log(
        principal: ProviderOrAdmin,
        status: Annotated[ReviewStatus | None, Query(description="Only this status.")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many.")] = 100,
    ) -> list[ReviewEmailPublic]:
        provider = None if principal.is_admin else principal.sub
        async with notifications.uow() as uow:
            rows = await uow.review_emails.log(provider_id=provider, status=status, limit=limit)
        return [ReviewEmailPublic.model_validate(r) for r in rows]

    @app.get(
        "/v1/delivery-problems",
        tags=["notifications"],
        summary="Emails that failed for good, and the advisors whose emails keep failing.",
        responses=PROBLEM_RESPONSES,
        dependencies=[Security(BEARER)],
    )
    async def problems(
        _: Admin,
        days: Annotated[int, Query(ge=1, le=365, description="The window, in days back.")] = 30,
    ) -> DeliveryProblemsPublic:
        found = await delivery_problems(notifications.uow(), notifications.clock(), days)
        return DeliveryProblemsPublic.model_validate(asdict(found))

    return app
