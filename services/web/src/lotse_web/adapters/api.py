"""One pooled HTTP client per service, and what their problem details become here.

ApiError                — the API refused the request; ``status`` and ``problem`` say why
├── NotFound            — 404: no such thing, or not the caller's (the page reveals nothing)
├── Forbidden           — 403: the caller's role does not allow it
├── Conflict            — 412: changed elsewhere since it was read
├── StateConflict       — 409: its state does not allow it (e.g. withdrawn, superseded)
├── Invalid             — 422: ``field_errors`` names each field and reason
└── Unauthorised        — 401: the token is no longer accepted; sign in again
ServiceUnavailable      — the service did not answer, or answered 5xx: nothing was changed
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = [
    "ApiClient",
    "ApiError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "ServiceUnavailable",
    "StateConflict",
    "Unauthorised",
]


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


class ServiceUnavailable(Exception):
    """The service could not be reached or failed; the request may be tried again shortly."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service


@dataclass
class ApiError(Exception):
    service: str
    status: int
    title: str
    detail: str | None = None
    field_errors: list[FieldError] = field(default_factory=list)
    problem: dict[str, Any] = field(default_factory=dict)  # the whole answer, e.g. an import's rows

    def __str__(self) -> str:
        return f"{self.service} answered {self.status} {self.title}: {self.detail or ''}"


class NotFound(ApiError):
    pass


class Forbidden(ApiError):
    pass


class Conflict(ApiError):
    pass


class StateConflict(ApiError):
    pass


class Invalid(ApiError):
    pass


class Unauthorised(ApiError):
    pass


_ERRORS: dict[int, type[ApiError]] = {
    401: Unauthorised,
    403: Forbidden,
    404: NotFound,
    409: StateConflict,
    412: Conflict,
    422: Invalid,
}


class ApiClient:
    """Calls one service with the signed-in user's bearer token; keeps its connections."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.service = service
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            transport=transport,
        )

    async def call(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """The answer to one request; an ``ApiError`` for 4xx, ``ServiceUnavailable`` otherwise."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        try:
            response = await self.http.request(
                method, path, json=json, params=params, headers=sent, content=content
            )
        except httpx.TransportError as exc:
            raise ServiceUnavailable(self.service, type(exc).__name__) from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(self.service, f"status {response.status_code}")
        if response.status_code >= 400:
            raise self._error(response)
        return response

    async def get_json(self, path: str, token: str | None, **kwargs: Any) -> Any:
        return (await self.call("GET", path, token, **kwargs)).json()

    async def ping(self) -> None:
        await self.call("GET", "/healthz", None)

    async def close(self) -> None:
        await self.http.aclose()

    def _error(self, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors = [
            FieldError(str(e.get("field", "")), str(e.get("reason", "")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        kind = _ERRORS.get(response.status_code, ApiError)
        return kind(
            self.service,
            response.status_code,
            str(body.get("title") or response.reason_phrase),
            body.get("detail"),
            errors,
            body,
        )
