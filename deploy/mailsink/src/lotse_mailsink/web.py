"""The mail sink's web page and JSON API, and its SMTP listener."""

from __future__ import annotations

import asyncio
import html
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse

from lotse_mailsink.store import MailStore, SinkHandler, StoredMessage

__all__ = ["create_app"]


def create_app(
    smtp_host: str | None = None, smtp_port: int | None = None, directory: Path | None = None
) -> FastAPI:
    """``uvicorn --factory lotse_mailsink.web:create_app`` (SMTP on MAILSINK_SMTP_PORT, 1025)."""
    host = smtp_host or os.environ.get("MAILSINK_SMTP_HOST", "127.0.0.1")
    port = smtp_port or int(os.environ.get("MAILSINK_SMTP_PORT", "1025"))
    folder = directory or (
        Path(os.environ["MAILSINK_DIR"]) if "MAILSINK_DIR" in os.environ else None
    )
    store = MailStore(folder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        handler = SinkHandler(store)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="lotse-mailsink"), host, port
        )
        try:
            yield
        finally:
            server.close()
            await server.wait_closed()

    app = FastAPI(title="Lotse mail sink", lifespan=lifespan)
    app.state.store = store

    @app.get("/api/messages")
    async def messages() -> list[dict[str, Any]]:
        return [m.summary() for m in store.messages]

    @app.get("/api/messages/{number}")
    async def message(number: int) -> dict[str, Any]:
        found = _find(store, number)
        return found.summary() | {"text": found.text()}

    @app.get("/messages/{number}/raw", response_class=PlainTextResponse)
    async def raw(number: int) -> str:
        return _find(store, number).raw.decode("utf-8", errors="replace")

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        rows = "".join(
            f"<tr><td>{m.number}</td><td>{html.escape(m.received_at.strftime('%H:%M:%S'))}</td>"
            f"<td>{html.escape(', '.join(m.rcpt_tos))}</td>"
            f"<td><details><summary>{html.escape(m.summary()['subject'])}</summary>"
            f"<pre>{html.escape(m.text())}</pre>"
            f"<a href='/messages/{m.number}/raw'>raw</a></details></td></tr>"
            for m in reversed(store.messages)
        )
        return (
            "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=3>"
            "<title>Lotse mail sink</title>"
            "<style>body{font-family:sans-serif;margin:2em}td{padding:.3em .8em;vertical-align:top;"
            "border-bottom:1px solid #ddd}pre{white-space:pre-wrap}</style>"
            f"<h1>Lotse mail sink</h1><p>{len(store.messages)} message(s), SMTP on {host}:{port}</p>"
            f"<table><tr><th>#</th><th>time</th><th>to</th><th>subject</th></tr>{rows}</table>"
        )

    return app


def _find(store: MailStore, number: int) -> StoredMessage:
    if not 1 <= number <= len(store.messages):
        raise HTTPException(404, f"no message {number}")
    return store.messages[number - 1]
