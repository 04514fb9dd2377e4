"""RFC 9457 problem details for every Lotse HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

__all__ = ["install_problem_handlers", "problem"]

MEDIA_TYPE = "application/problem+json"


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
    response = problem(exc.status_code, str(exc.detail))
    if exc.headers:  # e.g. WWW-Authenticate on a 401
        response.headers.update(exc.headers)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
