"""The three services as real uvicorn processes against the test's broker and SMTP server,
and a real Keycloak with the realm ``lotse``, started once per session."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.keycloak import STARTS, Keycloak
from tests.processes import JWT_SECRET, Service, start_service, wait_ready
from tests.support import free_port, unavailable


@pytest.fixture(scope="session")
def keycloak() -> Iterator[Keycloak]:
    """Keycloak (development mode) on a free port with the shipped realm and the test-only
    client ``lotse-tests``; with ``CI`` set, one that cannot be resolved or started fails."""
    data_dir = Path(tempfile.mkdtemp(prefix="lotse-keycloak-"))
    server = Keycloak(data_dir, free_port())
    failure = server.start()
    if failure:
        shutil.rmtree(data_dir, ignore_errors=True)
        unavailable(f"no Keycloak: {failure}")
    try:
        server.add_test_client()
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for seconds, rss in STARTS:
        terminalreporter.write_line(
            f"keycloak: ready {seconds:.1f} s after start, {rss / 2**20:.0f} MB resident"
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
