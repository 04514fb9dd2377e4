"""Matching over a real database (SQLite, then PostgreSQL), its API without Kafka.

The lifespan is not run: tests hand events to matching themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from importlib import resources

import httpx
import pytest

from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.entrypoints.api import create_app
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from lotse_shared.migrations import upgrade
from services.matching.tests.api_support import SECRET, Headers


@pytest.fixture
async def matching(database_url: str) -> AsyncIterator[Matching]:
    matching = bootstrap(
        MatchingSettings(MATCHING_DATABASE_URL=database_url, LOTSE_JWT_SECRET=SECRET)
    )
    await upgrade(matching.runtime.engine, str(resources.files("lotse_matching") / "migrations"))
    yield matching
    await matching.runtime.engine.dispose()


@pytest.fixture
async def api(matching: Matching) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(matching))
    async with httpx.AsyncClient(transport=transport, base_url="http://matching") as client:
        yield client


@pytest.fixture
def token() -> Callable[[str, str], Headers]:
    codec = JwtCodec(SECRET)
    return lambda role, sub: {"Authorization": f"Bearer {codec.issue(sub, Role(role))}"}
