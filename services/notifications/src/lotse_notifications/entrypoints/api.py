"""Notifications' ASGI app: the Kafka subscribers, the sender and a small HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from lotse_notifications.bootstrap import Notifications, bootstrap
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.entrypoints.subscribers import build_broker
from lotse_shared.http import health_router
from lotse_shared.problems import install_problem_handlers

__all__ = ["create_app"]


def create_app(notifications: Notifications | None = None) -> FastAPI:
    """``uvicorn --factory lotse_notifications.entrypoints.api:create_app``."""
    notifications = notifications or bootstrap(NotificationsSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await notifications.runtime.start()
        broker = build_broker(notifications)
        await broker.start()
        notifications.runtime.spawn(notifications.send_forever(), "sender")
        try:
            yield
        finally:
            await broker.stop()
            await notifications.runtime.stop()

    app = FastAPI(
        title="Lotse notifications",
        version="1",
        description="Emails advisors about fitting offers, once per advisor and match.",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(health_router(notifications.runtime.readiness))

    @app.get("/v1/notifications", tags=["notifications"], summary="The delivery log.")
    async def delivery_log() -> list[dict[str, Any]]:
        async with notifications.uow() as uow:
            return list(await uow.deliveries.all())

    return app
