"""Received messages, kept in memory and written as .eml files."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

__all__ = ["MailStore", "StoredMessage"]


@dataclass(frozen=True)
class StoredMessage:
    number: int
    received_at: datetime
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def parsed(self) -> EmailMessage:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message

    def text(self) -> str:
        return self._part("plain")

    def html(self) -> str:
        return self._part("html")

    def _part(self, subtype: str) -> str:
        body = self.parsed.get_body(preferencelist=(subtype,))
        if body is None or body.get_content_subtype() != subtype:
            return ""
        content = body.get_content()
        return content if isinstance(content, str) else ""

    def summary(self) -> dict[str, Any]:
        parsed = self.parsed
        return {
            "number": self.number,
            "received_at": self.received_at.isoformat(),
            "from": self.mail_from,
            "to": list(self.rcpt_tos),
            "subject": str(parsed.get("Subject", "")),
            "date": str(parsed.get("Date", "")),
            "message_id": str(parsed.get("Message-ID", "")),
            "has_html": bool(self.html()),
        }


class MailStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.messages: list[StoredMessage] = []
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            for path in sorted(directory.glob("*.eml")):
                self._load(path)

    def _load(self, path: Path) -> None:
        raw = path.read_bytes()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        to = tuple(str(parsed.get("To", "")).split(","))
        sender = str(parsed.get("From", ""))
        self.messages.append(StoredMessage(len(self.messages) + 1, received, sender, to, raw))

    def add(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> StoredMessage:
        stored = StoredMessage(
            len(self.messages) + 1, datetime.now(UTC), mail_from, tuple(rcpt_tos), raw
        )
        self.messages.append(stored)
        if self.directory is not None:
            (self.directory / f"{stored.number:06d}.eml").write_bytes(raw)
        return stored


class SinkHandler:
    """aiosmtpd handler that accepts every message into a :class:`MailStore`."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.store.add(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            envelope.original_content or envelope.content,
        )
        return "250 OK stored"
