"""Small pieces the test suites share."""

from __future__ import annotations

import asyncio
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

__all__ = [
    "PUBLISHED_SCHEMAS",
    "RecordingSmtpHandler",
    "create_database",
    "free_port",
    "unavailable",
]

IN_CI = bool(os.environ.get("CI"))
# Published JSON Schemas (AsyncAPI …) that make test fetches from a package registry.
PUBLISHED_SCHEMAS = Path(__file__).resolve().parents[1] / "var" / "schemas"


def unavailable(what: str) -> None:
    """No broker, database or schema: a failure in CI, a skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RecordingSmtpHandler:
    """An SMTP server's handler that keeps what it accepts; ``reply`` can make it refuse."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.recipients: list[list[str]] = []
        self.reply: str | None = None
        self.received = asyncio.Event()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        if self.reply is not None:
            return self.reply
        self.messages.append(envelope.original_content or envelope.content)  # type: ignore[attr-defined]
        self.recipients.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        self.received.set()
        return "250 OK"


def create_database(server: str, name: str) -> str:
    """Create database ``name``; callable from sync and async code alike."""
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(
            server.replace("postgresql+asyncpg", "postgresql") + "/postgres"
        )
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    # A thread of its own, so no running event loop is in the way.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()
    return f"{server}/{name}"
