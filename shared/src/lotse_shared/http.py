"""HTTP pieces every service serves: liveness, readiness, metrics, traces, a body limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lotse_shared.metrics import HTTP_REQUESTS, HTTP_SECONDS, metrics_router
from lotse_shared.observability import current_traceparent, span
from lotse_shared.problems import problem
from lotse_shared.runtime import Runtime

__all__ = [
    "BodySizeLimit",
    "ObservedRequests",
    "ReadinessCheck",
    "health_router",
    "install_operations",
    "merge_patch",
]

ReadinessCheck = Callable[[], Awaitable[object]]


def health_router(checks: Callable[[], Mapping[str, ReadinessCheck]]) -> APIRouter:
    """``/healthz`` answers while the process runs; ``/readyz`` runs every check."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The database and Kafka are reachable.")
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks().items():
            try:
                await asyncio.wait_for(check(), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    return router


def install_operations(app: FastAPI, runtime: Runtime) -> None:
    """``/healthz``, ``/readyz`` and ``/metrics``; request metrics and trace propagation."""
    app.include_router(health_router(runtime.readiness))
    app.include_router(metrics_router(runtime.refresh_metrics))
    app.add_middleware(ObservedRequests)  # outermost: every answer carries its traceparent


class ObservedRequests:
    """ASGI middleware: each request continues the caller's ``traceparent`` or starts a trace,
    answers with it, and is counted and timed per route template (not per URL)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        incoming = dict(scope.get("headers") or ()).get(b"traceparent", b"").decode("latin-1")
        status = 500
        with span(method, incoming, attributes={"http.request.method": method}) as current:
            traceparent = current_traceparent.get() or ""

            async def sent(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers = [*message.get("headers", []), (b"traceparent", traceparent.encode())]
                    message = {**message, "headers": headers}
                await send(message)

            try:
                await self.app(scope, receive, sent)
            finally:
                template = getattr(scope.get("route"), "path", None) or "unmatched"
                if current is not None:
                    current.update_name(f"{method} {template}")
                    current.set_attribute("http.route", template)
                    current.set_attribute("http.response.status_code", status)
                if template != "/metrics":
                    HTTP_REQUESTS.labels(method, template, str(status)).inc()
                    HTTP_SECONDS.labels(method, template).observe(time.perf_counter() - started)


class BodySizeLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before a handler reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413, "Request body too large", f"at most {self.max_bytes} bytes are accepted"
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON Merge Patch (RFC 7396): objects merge, ``null`` removes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged
