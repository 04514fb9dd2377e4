"""Small pieces the test suites share."""

from __future__ import annotations

import asyncio
import socket

__all__ = ["RecordingSmtpHandler", "free_port"]


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
