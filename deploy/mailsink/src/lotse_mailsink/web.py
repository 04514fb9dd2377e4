"""The mail sink's inbox pages and JSON API, and its SMTP listener.

An inbox for development: the list of received messages, each message with
its headers, plain text and HTML, and the raw message as it arrived. A
message's HTML is shown in a sandboxed frame under a policy that lets it
load nothing, so a message cannot run script or reach out.
"""

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

_STYLE = (
    "<style>body{font-family:sans-serif;margin:2em;color:#1d2a36}"
    "td,th{padding:.3em .8em;vertical-align:top;border-bottom:1px solid #ddd;text-align:left}"
    "pre{white-space:pre-wrap;background:#f6f8fa;padding:1em}"
    "iframe{width:100%;height:32em;border:1px solid #ddd}a{color:#0b5394}</style>"
)
# What a received message's HTML may do in the inbox: show itself, with inline styles. Nothing else.
_MESSAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def create_app(
    smtp_host: str | None = None, smtp_port: int | None = None, directory: Path | None = None
) -> FastAPI:
    """``python -m lotse_mailsink`` (SMTP on MAILSINK_SMTP_PORT, 1025)."""
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

    @app.get("/api/messages", summary="Every received message, oldest first.")
    async def messages() -> list[dict[str, Any]]:
        return [m.summary() for m in store.messages]

    @app.get("/api/messages/{number}", summary="One message with its text and HTML parts.")
    async def message(number: int) -> dict[str, Any]:
        found = _find(store, number)
        return found.summary() | {"text": found.text(), "html": found.html()}

    @app.get("/messages/{number}/raw", response_class=PlainTextResponse)
    async def raw(number: int) -> str:
        return _find(store, number).raw.decode("utf-8", errors="replace")

    @app.get("/messages/{number}/html", response_class=HTMLResponse)
    async def message_html(number: int) -> HTMLResponse:
        found = _find(store, number)
        return HTMLResponse(found.html(), headers={"Content-Security-Policy": _MESSAGE_POLICY})

    @app.get("/messages/{number}", response_class=HTMLResponse)
    async def message_page(number: int) -> str:
        m = _find(store, number)
        summary = m.summary()
        headers = "".join(
            f"<tr><th>{label}</th><td>{html.escape(_shown(summary[key]))}</td></tr>"
            for label, key in (
                ("From", "from"), ("To", "to"), ("Subject", "subject"), ("Date", "date"),
                ("Message-ID", "message_id"),
            )
        )  # fmt: skip
        shown = (
            f"<h2>HTML</h2><iframe sandbox src='/messages/{m.number}/html'></iframe>"
            if summary["has_html"]
            else ""
        )
        return _page(
            f"Message {m.number}",
            f"<p><a href='/'>&larr; Inbox</a> &middot; "
            f"<a href='/messages/{m.number}/raw'>raw</a></p>"
            f"<table>{headers}</table>{shown}<h2>Text</h2><pre>{html.escape(m.text())}</pre>",
        )

    @app.get("/", response_class=HTMLResponse)
    async def inbox() -> str:
        rows = "".join(
            f"<tr><td>{m.number}</td><td>{html.escape(m.received_at.strftime('%d.%m. %H:%M:%S'))}"
            f"</td><td>{html.escape(', '.join(m.rcpt_tos))}</td>"
            f"<td><a href='/messages/{m.number}'>{html.escape(m.summary()['subject'])}</a></td>"
            f"<td><a href='/messages/{m.number}/raw'>raw</a></td></tr>"
            for m in reversed(store.messages)
        )
        return _page(
            "Lotse mail sink",
            f"<p>{len(store.messages)} message(s), SMTP on {host}:{port}</p>"
            "<table><tr><th>#</th><th>received</th><th>to</th><th>subject</th><th></th></tr>"
            f"{rows}</table>",
            refresh=True,
        )

    return app


def _shown(value: object) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _page(title: str, body: str, *, refresh: bool = False) -> str:
    meta = "<meta http-equiv=refresh content=3>" if refresh else ""
    return (
        f"<!doctype html><meta charset=utf-8>{meta}<title>{html.escape(title)}</title>{_STYLE}"
        f"<h1>{html.escape(title)}</h1>{body}"
    )


def _find(store: MailStore, number: int) -> StoredMessage:
    if not 1 <= number <= len(store.messages):
        raise HTTPException(404, f"no message {number}")
    return store.messages[number - 1]
