"""The three services as real uvicorn processes against the test's broker and SMTP server,
and a real Keycloak with the realm ``lotse``, started once per session."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.keycloak import Keycloak
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


@asynccontextmanager
async def three_services(
    kafka_bootstrap: str,
    smtp_port: int,
    tmp_path: Path,
    trust: dict[str, str],
    review_policy: str = "off",
) -> AsyncIterator[dict[str, Service]]:
    """Catalog, matching and notifications as processes, trusting what ``trust`` sets.

    Offers publish at once unless ``review_policy`` says otherwise: most journeys are
    about what follows publishing; the review's journey runs with the district's default.
    """
    run = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")} | {
        "LOTSE_ENV": "test",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}",
        "CATALOG_REVIEW_POLICY": review_policy,
        "MATCHING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'matching.db'}",
        "NOTIFICATIONS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}",
        "MATCHING_GROUP_ID": f"lotse-matching-{run}",
        "NOTIFICATIONS_GROUP_ID": f"lotse-notifications-{run}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "MAIL_FROM": "Lotse <lotse@ki-unna.example>",
        "NOTIFICATIONS_BATCH_WINDOW_SECONDS": "0",
        # Topics of their own: other tests' events on the same broker stay out of the way.
        "LOTSE_TOPIC_PREFIX": f"e2e{run}.",
        **trust,
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


@pytest.fixture
async def lotse(
    kafka_bootstrap: str, smtp_server: tuple[int, Any], tmp_path: Path
) -> AsyncIterator[dict[str, Service]]:
    """Catalog, matching and notifications running, trusting the tests' local key."""
    trust = {"LOTSE_JWT_SECRET": JWT_SECRET}
    async with three_services(kafka_bootstrap, smtp_server[0], tmp_path, trust) as services:
        yield services


@pytest.fixture
async def lotse_reviewing(
    kafka_bootstrap: str, smtp_server: tuple[int, Any], tmp_path: Path
) -> AsyncIterator[dict[str, Service]]:
    """The three services with the review as a district runs it: new providers' offers wait."""
    trust = {"LOTSE_JWT_SECRET": JWT_SECRET}
    async with three_services(
        kafka_bootstrap, smtp_server[0], tmp_path, trust, review_policy="new_providers"
    ) as services:
        yield services


@pytest.fixture
async def lotse_trusting_keycloak(
    keycloak: Keycloak, kafka_bootstrap: str, smtp_server: tuple[int, Any], tmp_path: Path
) -> AsyncIterator[dict[str, Service]]:
    """The three services trusting the session's Keycloak and nothing else (no local key)."""
    trust = {
        "LOTSE_OIDC_ISSUER": keycloak.issuer,
        # Short, so a rotated key is picked up without waiting half a minute.
        "LOTSE_OIDC_JWKS_MIN_REFETCH_SECONDS": "1",
        "LOTSE_OIDC_LEEWAY_SECONDS": "0",
    }
    async with three_services(kafka_bootstrap, smtp_server[0], tmp_path, trust) as services:
        yield services
