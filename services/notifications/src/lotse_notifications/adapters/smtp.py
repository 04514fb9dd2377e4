"""Sends email over SMTP with aiosmtplib, on a small pool of open connections.

Opening a connection (greeting, EHLO, STARTTLS, login) costs more than
sending a message, so connections are kept and reused. A connection that
failed is closed, never reused; one the server closed while it sat idle is
replaced once before the message counts as failed.

Only the server's refusal of the message itself (5xx to MAIL, RCPT or DATA)
is permanent. A refused login is a matter of configuration: the emails wait,
with backoff, until it is mended.
"""

from __future__ import annotations

import asyncio

import aiosmtplib

from lotse_notifications.domain.mailer import Email, PermanentDeliveryError, TemporaryDeliveryError

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
        connections: int = 4,
        ca_file: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.connections = connections
        self.ca_file = ca_file
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(connections)

    async def send(self, email: Email) -> None:
        if not email.sender or not email.recipients:
            raise ValueError(f"email {email.message_id} has no sender or no recipient")
        async with self._slots:
            reused = bool(self._idle)
            client = self._idle.pop() if reused else None
            try:
                try:
                    client = client or await self._connect()
                    await _hand_over(client, email)
                except aiosmtplib.SMTPServerDisconnected:
                    if not reused:
                        raise
                    # The server dropped the idle connection before this message began.
                    client = await self._connect()
                    await _hand_over(client, email)
            except aiosmtplib.SMTPAuthenticationError as exc:
                await _close(client)
                raise TemporaryDeliveryError(f"login refused: {exc.code} {exc.message}") from exc
            except aiosmtplib.SMTPRecipientsRefused as exc:
                await _close(client)
                replies = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
                if all(500 <= r.code < 600 for r in exc.recipients):
                    raise PermanentDeliveryError(replies) from exc
                raise TemporaryDeliveryError(replies) from exc
            except aiosmtplib.SMTPResponseException as exc:
                await _close(client)
                if 500 <= exc.code < 600:
                    raise PermanentDeliveryError(f"{exc.code} {exc.message}") from exc
                raise TemporaryDeliveryError(f"{exc.code} {exc.message}") from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await _close(client)
                raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc
            self._idle.append(client)

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.starttls,
            timeout=self.timeout,
            cert_bundle=self.ca_file,
        )
        await client.connect()
        if client.is_ehlo_or_helo_needed:  # what it supports decides what it is sent
            try:
                await client.ehlo()
            except aiosmtplib.SMTPHeloError:
                if not client.is_connected:
                    raise
                await client.helo()
        return client

    async def close(self) -> None:
        """Say QUIT on every idle connection."""
        idle, self._idle = self._idle, []
        for client in idle:
            await _close(client)


async def _hand_over(client: aiosmtplib.SMTP, email: Email) -> None:
    """Send ``email`` as aiosmtplib's ``send_message`` would have sent it: 8-bit MIME to a
    server that takes it, SMTPUTF8 for addresses that are not ASCII."""
    options = ["SMTPUTF8"] if email.smtputf8 else []
    if client.supports_extension("8BITMIME"):
        options.append("BODY=8BITMIME")
        data = email.data
    else:
        data = email.seven_bit
    await client.sendmail(email.sender, list(email.recipients), data, mail_options=options)


async def _close(client: aiosmtplib.SMTP | None) -> None:
    if client is None or not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()
