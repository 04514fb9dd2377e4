"""Sends email over SMTP with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from lotse_notifications.domain.mailer import PermanentDeliveryError, TemporaryDeliveryError

__all__ = ["SmtpMailer"]


class SmtpMailer:
    """A :class:`~lotse_notifications.domain.mailer.Mailer` for one SMTP server."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentDeliveryError(f"{exc.code} {exc.message}") from exc
            raise TemporaryDeliveryError(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc
