"""The port through which notifications hands an email to a mail server.

DeliveryError
├── TemporaryDeliveryError  — try again later (4xx, refused, timeout)
└── PermanentDeliveryError  — the server refused for good (5xx); do not retry
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

__all__ = ["DeliveryError", "Mailer", "PermanentDeliveryError", "TemporaryDeliveryError"]


class DeliveryError(Exception):
    """The email was not accepted."""


class TemporaryDeliveryError(DeliveryError):
    """The server or the connection failed in a way that may pass."""


class PermanentDeliveryError(DeliveryError):
    """The server refused the email for good."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Return once the server accepted ``message``; raise a :class:`DeliveryError` otherwise."""
