"""The three services as real uvicorn processes against the test's broker and SMTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import free_port

JWT_SECRET = "end-to-end-signing-key-0123456789-0123456789"


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    topic_prefix: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def start_service(name: str, env: dict[str, str], log_dir: Path) -> Service:
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"lotse_{name}.entrypoints.api:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
        )
    return Service(name, port, process, log)


async def wait_ready(service: Service, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise AssertionError(f"{service.name} exited:\n{service.log.read_text()[-3000:]}")
            try:
                if (await client.get(f"{service.url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(
        f"{service.name} not ready in {timeout} s:\n{service.log.read_text()[-3000:]}"
    )


@pytest.fixture
async def lotse(
    kafka_bootstrap: str, smtp_server: tuple[int, Any], tmp_path: Path
) -> AsyncIterator[dict[str, Service]]:
    """Catalog, matching and notifications running, each with its own SQLite database."""
    smtp_port, _ = smtp_server
    run = uuid.uuid4().hex[:8]
    env = os.environ | {
        "LOTSE_ENV": "test",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}",
        "MATCHING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'matching.db'}",
        "NOTIFICATIONS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}",
        "MATCHING_GROUP_ID": f"lotse-matching-{run}",
        "NOTIFICATIONS_GROUP_ID": f"lotse-notifications-{run}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "MAIL_FROM": "Lotse <lotse@ki-unna.example>",
        "NOTIFICATIONS_BATCH_WINDOW_SECONDS": "0",
        "LOTSE_JWT_SECRET": JWT_SECRET,
        # Topics of their own: other tests' events on the same broker stay out of the way.
        "LOTSE_TOPIC_PREFIX": f"e2e{run}.",
    }
    services = {
        name: start_service(name, env, tmp_path)
        for name in ("catalog", "matching", "notifications")
    }
    for service in services.values():
        service.topic_prefix = env["LOTSE_TOPIC_PREFIX"]
    try:
        await asyncio.gather(*(wait_ready(s) for s in services.values()))
        yield services
    finally:
        for service in services.values():
            service.stop()
