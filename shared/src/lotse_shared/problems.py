"""RFC 9457 problem details for every Lotse HTTP API."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

__all__ = ["PROBLEM_RESPONSES", "FieldError", "Problem", "install_problem_handlers", "problem"]

MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str = Field(
        description="The field at fault, as a path.", examples=["location.municipality"]
    )
    reason: str = Field(
        description="Why it was refused.", examples=["05913000 is not a municipality of Kreis Unna"]
    )


class Problem(BaseModel):
    """An error response (RFC 9457 problem details)."""

    type: str = Field(
        description="Always about:blank: the status says it all.", examples=["about:blank"]
    )
    title: str = Field(description="Short summary of the status.", examples=["Invalid request"])
    status: int = Field(description="The HTTP status code.", examples=[422])
    detail: str | None = Field(
        default=None, description="What went wrong here.", examples=["age: too large"]
    )
    errors: list[FieldError] | None = Field(
        default=None, description="For invalid requests: every field at fault.", examples=[[]]
    )


def _response(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {MEDIA_TYPE: {}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _response("No valid bearer token."),
    403: _response("The caller's role or ownership does not allow this."),
    404: _response("No such entity, or not the caller's."),
    422: _response("Invalid request: `errors` names each field and reason."),
    503: _response("The database cannot be reached; nothing was changed. See Retry-After."),
}


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "categories", 0) -> "categories[0]"; the "body" prefix says nothing to a caller.
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    # RequestValidationError: the request as FastAPI parsed it; ValidationError: a body a
    # route validated itself, e.g. an entity with a merge patch applied.
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "reason": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem(422, "Invalid request", detail, errors=errors)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    # The status's own words as title, what happened here as detail ("token expired").
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    detail = str(exc.detail)
    response = problem(exc.status_code, title, None if detail == title else detail)
    if exc.headers:  # e.g. WWW-Authenticate on a 401
        response.headers.update(exc.headers)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    # The database cannot be reached (refused, reset, timed out): nothing was changed.
    for unreachable in (OperationalError, InterfaceError, PoolTimeout, OSError, TimeoutError):
        app.add_exception_handler(unreachable, _unavailable)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: the database is unreachable: %s", request.method, request.url.path, exc)
    response = problem(
        503, "Service unavailable", "The database cannot be reached; nothing was changed."
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
