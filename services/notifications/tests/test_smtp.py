"""The SMTP mailer against a real server: pooled connections, outages, refusals."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult

from lotse_notifications.adapters.smtp import SmtpMailer
from lotse_notifications.bootstrap import Notifications
from lotse_notifications.domain.mailer import (
    Email,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from services.notifications.tests.support import Clock, advisor, deliver, deliveries, match
from tests.support import RecordingSmtpHandler, free_port


@asynccontextmanager
async def smtp_on(
    port: int, handler: RecordingSmtpHandler, **options: Any
) -> AsyncIterator[list[SMTP]]:
    """A real SMTP server on ``port``; yields the sessions it opened, one per connection."""
    sessions: list[SMTP] = []

    def session() -> SMTP:
        sessions.append(SMTP(handler, hostname="test-smtp", **options))
        return sessions[-1]

    server = await asyncio.get_running_loop().create_server(session, "127.0.0.1", port)
    try:
        yield sessions
    finally:
        server.close()
        await server.wait_closed()


def message(n: int) -> Email:
    data = b"From: lotse@ki-unna.example\r\nTo: a@ki-unna.example\r\n"
    data += f"Subject: Nr. {n}\r\n\r\nHallo\r\n".encode()
    return Email(f"<{n}@lotse>", "lotse@ki-unna.example", ("a@ki-unna.example",), data, data)


async def test_emails_share_the_pools_connections() -> None:
    port, handler = free_port(), RecordingSmtpHandler()
    async with smtp_on(port, handler) as sessions:
        one = SmtpMailer("127.0.0.1", port, connections=1)
        for n in range(5):
            await one.send(message(n))
        four = SmtpMailer("127.0.0.1", port, connections=4)
        await asyncio.gather(*(four.send(message(n)) for n in range(12)))
        await one.close()
        await four.close()
    assert len(handler.messages) == 17
    assert len(sessions) <= 1 + 4


@pytest.mark.slow  # waits for the server's own idle timeout
async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    port, handler = free_port(), RecordingSmtpHandler()
    async with smtp_on(port, handler, timeout=0.2) as sessions:
        mailer = SmtpMailer("127.0.0.1", port, connections=1)
        await mailer.send(message(1))
        await asyncio.sleep(0.5)  # the server hangs up on the idle connection
        await mailer.send(message(2))
        await mailer.close()
    assert len(handler.messages) == 2 and len(sessions) == 2


@pytest.mark.parametrize(
    ("reply", "error"),
    [("451 4.3.0 busy", TemporaryDeliveryError), ("554 5.7.1 rejected", PermanentDeliveryError)],
)
async def test_a_refusal_is_temporary_or_permanent_by_its_code(
    reply: str, error: type[Exception]
) -> None:
    port, handler = free_port(), RecordingSmtpHandler()
    handler.reply = reply
    async with smtp_on(port, handler):
        mailer = SmtpMailer("127.0.0.1", port, connections=1)
        with pytest.raises(error, match=reply.split()[0]):
            await mailer.send(message(1))
        handler.reply = None
        await mailer.send(message(2))  # the failed connection is not reused
        await mailer.close()
    assert len(handler.messages) == 1


async def test_starttls_and_login_when_configured(tmp_path: Path) -> None:
    ca = trustme.CA()
    certificate = ca.issue_cert("127.0.0.1")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_tls)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    logins: list[tuple[bytes, bool]] = []

    def authenticate(
        server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        logins.append((data.login, session.ssl is not None))
        ok = data.login == b"lotse" and data.password == b"geheim"
        return AuthResult(success=ok, handled=False)

    port, handler = free_port(), RecordingSmtpHandler()
    options = {"tls_context": server_tls, "require_starttls": True, "authenticator": authenticate,
               "auth_required": True}  # fmt: skip
    async with smtp_on(port, handler, **options):
        mailer = SmtpMailer("127.0.0.1", port, username="lotse", password="geheim",
                            starttls=True, ca_file=str(ca_file))  # fmt: skip
        await mailer.send(message(1))
        await mailer.close()
        wrong = SmtpMailer("127.0.0.1", port, username="lotse", password="falsch",
                           starttls=True, ca_file=str(ca_file), timeout=3)  # fmt: skip
        with pytest.raises(TemporaryDeliveryError, match="login refused: 535"):
            await wrong.send(message(2))  # a configuration to mend, not an email to drop
        untrusting = SmtpMailer("127.0.0.1", port, username="lotse", password="geheim",
                                starttls=True, timeout=3)  # fmt: skip
        with pytest.raises(TemporaryDeliveryError):
            await untrusting.send(message(3))  # the server's certificate is not trusted
    assert len(handler.messages) == 1
    assert logins[:2] == [(b"lotse", True), (b"lotse", True)]


async def test_while_the_mail_server_is_down_nothing_is_lost(
    notifications: Notifications, clock: Clock
) -> None:
    port, handler = free_port(), RecordingSmtpHandler()
    notifications.mailer = SmtpMailer("127.0.0.1", port, connections=2, timeout=2)
    await deliver(notifications, advisor())
    for reference in ("UNN-AAAAAA", "UNN-BBBBBB"):
        await deliver(notifications, match(reference=reference))
    for _ in range(3):
        assert await notifications.send_due() == 0
        clock.advance(minutes=5)
    assert {(d["status"], d["attempts"]) for d in await deliveries(notifications)} == {
        ("pending", 3)
    }
    assert all(
        "Connect" in d["last_error"] or "refused" in d["last_error"].lower()
        for d in await deliveries(notifications)
    )
    async with smtp_on(port, handler):
        assert await notifications.send_due() == 2
    assert len(handler.messages) == 2
    assert {d["status"] for d in await deliveries(notifications)} == {"sent"}
