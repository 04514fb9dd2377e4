"""Emails per second to the local mail sink, next to a bare aiosmtplib send loop in the same run.

    python -m bench.emails [--emails 2000] [--quick]

The mail sink (the one ``make run`` starts: aiosmtpd, every message kept as
a file) runs in its own process. Three ways of sending the same rendered
Lotse emails are measured against it, one after the other:

- bare: one aiosmtplib connection, ``sendmail`` of the ready bytes in a loop — the
  baseline; next to it ``send_message`` of the same emails as ``EmailMessage``
  objects, which flattens each first;
- mailer: Lotse's pooled SMTP mailer with 1 and with 4 connections;
- send_due: the whole sending use case on SQLite with 1 and 4 connections —
  claim, render, SMTP, mark sent and the ``notification.sent`` events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from importlib import resources
from pathlib import Path
from typing import Any

import aiosmtplib

from bench.servers import StartFailed, free_port, http_call
from lotse_notifications.adapters.email import EmailComposer
from lotse_notifications.adapters.smtp import SmtpMailer
from lotse_notifications.bootstrap import bootstrap
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.domain.letter import letter_for
from lotse_notifications.domain.mailer import Email
from lotse_notifications.domain.model import Delivery, OfferFacts, Reason, Recipient
from lotse_notifications.entrypoints.subscribers import apply_consumed
from lotse_shared.contracts import AdvisorRegistered, MatchFound
from lotse_shared.envelope import decode, encode
from lotse_shared.migrations import upgrade
from lotse_shared.region import load_region

TARGET = 500.0  # emails/s, DESIGN.md
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


@contextmanager
def mail_sink() -> Iterator[tuple[int, int]]:
    """The development mail sink in its own process: (SMTP port, web port)."""
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-mail-"))
    smtp, web = free_port(), free_port()
    env = os.environ | {"MAILSINK_SMTP_PORT": str(smtp), "MAILSINK_DIR": str(folder / "mail")}
    process = subprocess.Popen(  # noqa: S603 - uvicorn from this environment
        [sys.executable, "-m", "uvicorn", "--factory", "lotse_mailsink.web:create_app",
         "--port", str(web), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if http_call(web, "GET", "/api/messages")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise StartFailed("the mail sink did not start")
            time.sleep(0.1)
        yield smtp, web
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def emails(count: int) -> list[Email]:
    """``count`` different Lotse emails, each about two matches for one need."""
    composer = EmailComposer(
        sender="Lotse <lotse@ki-unna.example>", region=load_region(), link_base="http://lotse"
    )
    recipient = Recipient("adv-1", "Aylin Demir", "a.demir@ki-unna.example")
    made = []
    for n in range(count):
        group = [_delivery(f"{n}-{k}", f"UNN-{n:06d}", 0.9 - k / 10) for k in range(2)]
        letter = letter_for(recipient, group[0].need_reference, group)
        made.append(composer.compose(letter, providers={"vhs": "VHS Schwerte"}, now=NOW))
    return made


def _delivery(key: str, reference: str, score: float) -> Delivery:
    return Delivery(
        id=key,
        advisor_id="adv-1",
        match_id=key,
        kind="match_found",
        need_reference=reference,
        offer=OfferFacts(
            "o", "Integrationskurs allgemein", "integration_course", "05978028", "vhs"
        ),
        score=score,
        reasons=(Reason("Im Wohnort Schwerte", "In the home town Schwerte"),),
    )


async def timed(sending: Awaitable[int]) -> dict[str, float]:
    """Run ``sending`` (a coroutine not yet started) and time it."""
    started = time.perf_counter()
    sent = await sending
    seconds = time.perf_counter() - started
    return {"emails": sent, "seconds": round(seconds, 3), "per_second": round(sent / seconds, 1)}


async def bare(port: int, messages: list[Email]) -> int:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    for m in messages:
        await client.sendmail(m.sender, list(m.recipients), m.data, mail_options=["BODY=8BITMIME"])
    await client.quit()
    return len(messages)


async def flattening(port: int, messages: list[EmailMessage]) -> int:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    for message in messages:
        await client.send_message(message)
    await client.quit()
    return len(messages)


async def pooled(port: int, messages: list[Email], connections: int) -> int:
    mailer = SmtpMailer("127.0.0.1", port, connections=connections)
    await asyncio.gather(*(mailer.send(m) for m in messages))
    await mailer.close()
    return len(messages)


async def use_case(port: int, count: int, connections: int, folder: Path) -> dict[str, float]:
    """The sending use case on SQLite: ``count`` needs with one new match each, then send."""
    notifications = bootstrap(
        NotificationsSettings(
            NOTIFICATIONS_DATABASE_URL=f"sqlite+aiosqlite:///{folder / f'n{connections}.db'}",
            SMTP_PORT=port,
            SMTP_CONNECTIONS=connections,
            NOTIFICATIONS_BATCH_WINDOW_SECONDS=0,
        )
    )
    await upgrade(
        notifications.runtime.engine, str(resources.files("lotse_notifications") / "migrations")
    )
    for event in [_advisor(), *(_match(n) for n in range(count))]:
        record = encode(event, source="/bench")
        assert record.value is not None
        await apply_consumed(notifications, [decode(record.headers, record.value)])

    async def send_all() -> int:
        sent = 0
        while sent < count:
            more = await notifications.send_due()
            if not more:
                raise RuntimeError(f"send_due stalled after {sent} of {count} emails")
            sent += more
        return sent

    result = await timed(send_all())
    await notifications.mailer.close()  # type: ignore[attr-defined]
    await notifications.runtime.engine.dispose()
    return result


def _advisor() -> AdvisorRegistered:
    return AdvisorRegistered(
        advisor_id="adv-1", name="Aylin Demir", email="a.demir@ki-unna.example",
        organisation="KI Kreis Unna", version=1, updated_at=NOW,
    )  # fmt: skip


def _match(n: int) -> MatchFound:
    return MatchFound.model_validate(
        {
            "match_id": str(uuid.uuid4()), "need_id": f"n-{n}", "need_reference": f"UNN-{n:06d}",
            "advisor_id": "adv-1", "offer_id": "o-1", "score": 0.8, "found_at": NOW,
            "offer": {"title": "Integrationskurs", "category": "integration_course",
                      "municipality": "05978028"},
            "reasons": [{"code": "same_municipality", "de": "Im Wohnort", "en": "At home"}],
        }
    )  # fmt: skip


async def run(count: int) -> list[dict[str, Any]]:
    messages = emails(count)
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-emails-"))
    rows: list[dict[str, Any]] = []
    try:
        with mail_sink() as (port, _):
            rows.append({"path": "bare aiosmtplib loop", "connections": 1}
                        | await timed(bare(port, messages)))  # fmt: skip
            objects = [message_from_bytes(m.data, _class=EmailMessage, policy=policy.default)
                       for m in messages]  # fmt: skip
            rows.append({"path": "send_message loop", "connections": 1}
                        | await timed(flattening(port, objects)))  # fmt: skip
            for connections in (1, 4):
                rows.append({"path": "Lotse SMTP mailer", "connections": connections}
                            | await timed(pooled(port, messages, connections)))  # fmt: skip
            for connections in (1, 4):
                rows.append({"path": "send_due (SQLite)", "connections": connections}
                            | await use_case(port, count, connections, folder))  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    baseline = rows[0]["per_second"]
    for row in rows:
        row["ratio"] = round(row["per_second"] / baseline, 2)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = ["path                   connections  emails  seconds  emails/s  ratio to bare"]
    for r in rows:
        lines.append(
            f"{r['path']:<22} {r['connections']:>11} {r['emails']:>7} {r['seconds']:>8.2f}"
            f" {r['per_second']:>9.1f} {r['ratio']:>14.2f}"
        )
    best = max(r["per_second"] for r in rows if r["path"] == "send_due (SQLite)")
    verdict = "met" if best >= TARGET else "MISSED"
    lines.append(
        f"target (DESIGN.md): >= {TARGET:.0f} emails/s to a local SMTP server; send_due at its"
        f" best: {best:.0f}/s, {verdict}. The sink is aiosmtpd writing each message to a file."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="200 emails")
    parser.add_argument("--json", type=Path, default=Path("var/bench/emails.json"))
    args = parser.parse_args()
    rows = asyncio.run(run(200 if args.quick else args.emails))
    print(render(rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
