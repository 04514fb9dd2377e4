"""The development mail sink keeps what it receives over SMTP and shows it."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx

from lotse_mailsink.web import create_app
from tests.support import free_port


def message(subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "lotse@localhost"
    mail["To"] = "advisor@ki-unna.example"
    mail["Subject"] = subject
    mail.set_content("Hallo <Welt>")
    return mail


async def test_a_received_message_is_listed_shown_and_kept_across_restarts(tmp_path: Path) -> None:
    port = free_port()
    app = create_app(smtp_port=port, directory=tmp_path)
    async with app.router.lifespan_context(app):
        await aiosmtplib.send(
            message("Neues Angebot für UNN-ABC234"), hostname="127.0.0.1", port=port
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sink") as client:
            [listed] = (await client.get("/api/messages")).json()
            assert listed["subject"] == "Neues Angebot für UNN-ABC234"
            assert listed["to"] == ["advisor@ki-unna.example"]
            assert (await client.get("/api/messages/1")).json()["text"].strip() == "Hallo <Welt>"
            page = (await client.get("/")).text
            assert "/messages/1" in page and "Neues Angebot für UNN-ABC234" in page
            shown = (await client.get("/messages/1")).text
            assert "Hallo &lt;Welt&gt;" in shown and "<iframe" not in shown  # text only
            assert "<td>advisor@ki-unna.example</td>" in shown
            assert (await client.get("/api/messages/2")).status_code == 404
            assert (await client.get("/messages/2")).status_code == 404

    restarted = create_app(smtp_port=free_port(), directory=tmp_path)
    async with restarted.router.lifespan_context(restarted):
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://sink") as client:
            [kept] = (await client.get("/api/messages")).json()
            assert kept["subject"] == "Neues Angebot für UNN-ABC234"


async def test_a_multipart_message_shows_its_text_and_its_html_in_a_sandbox(tmp_path: Path) -> None:
    port = free_port()
    app = create_app(smtp_port=port, directory=tmp_path)
    mail = message("Zwei Teile")
    mail.add_alternative("<p>Hallo <b>Welt</b></p><script>alert(1)</script>", subtype="html")
    async with app.router.lifespan_context(app):
        await aiosmtplib.send(mail, hostname="127.0.0.1", port=port)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sink") as client:
            data = (await client.get("/api/messages/1")).json()
            assert data["has_html"] and "<b>Welt</b>" in data["html"]
            assert data["text"].strip() == "Hallo <Welt>"
            page = (await client.get("/messages/1")).text
            assert "<iframe sandbox src='/messages/1/html'>" in page
            assert "Hallo &lt;Welt&gt;" in page and "Zwei Teile" in page
            framed = await client.get("/messages/1/html")
            assert "<b>Welt</b>" in framed.text
            assert "default-src 'none'" in framed.headers["content-security-policy"]
            raw = (await client.get("/messages/1/raw")).text
            assert "multipart/alternative" in raw and "Subject: Zwei Teile" in raw
