"""The port through which notifications hands an email to a mail server.

DeliveryError
├── TemporaryDeliveryError  — try again later (4xx, refused, timeout)
└── PermanentDeliveryError  — the server refused for good (5xx); do not retry
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["DeliveryError", "Email", "Mailer", "PermanentDeliveryError", "TemporaryDeliveryError"]


@dataclass(frozen=True)
class Email:
    """An email as it goes to the server: its envelope and its bytes, CRLF line ends."""

    message_id: str
    sender: str  # the envelope's, taken from From
    recipients: tuple[str, ...]  # the envelope's, taken from To
    data: bytes  # for a server that takes 8-bit MIME (RFC 6152)
    seven_bit: bytes  # the same for one that does not: 8-bit parts in base64
    smtputf8: bool = False  # an address is not ASCII: only for a server that takes SMTPUTF8


class DeliveryError(Exception):
    """The email was not accepted."""


class TemporaryDeliveryError(DeliveryError):
    """The server or the connection failed in a way that may pass."""


class PermanentDeliveryError(DeliveryError):
    """The server refused the email for good."""


class Mailer(Protocol):
    async def send(self, email: Email) -> None:
        """Return once the server accepted ``email``; raise a :class:`DeliveryError` otherwise."""
