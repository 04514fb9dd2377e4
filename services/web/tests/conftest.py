"""The web app in process, over the fake APIs: the fast tier of the web app's tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from lotse_web.bootstrap import Web, bootstrap
from lotse_web.config import WebSettings
from lotse_web.entrypoints.app import create_app
from services.web.tests.fakes import SECRET, FakeApis, build


@pytest.fixture(scope="session")
def _fake_apis() -> tuple[FakeApis, FastAPI]:
    # Building the fake APIs' app (fifty routes) took half of a web test's setup: build it
    # once, over one FakeApis that each test gets back fresh.
    apis = FakeApis()
    return apis, build(apis)


@pytest.fixture
def apis(_fake_apis: tuple[FakeApis, FastAPI]) -> FakeApis:
    apis, _ = _fake_apis
    apis.reset()
    return apis


@pytest.fixture
def fake_api_app(_fake_apis: tuple[FakeApis, FastAPI], apis: FakeApis) -> FastAPI:
    """The catalog, matching and notifications APIs in memory, answering from ``apis``."""
    return _fake_apis[1]


@pytest.fixture
async def web(fake_api_app: FastAPI, tmp_path: Path) -> AsyncIterator[Web]:
    settings = WebSettings(
        LOTSE_ENV="development",
        LOTSE_JWT_SECRET=SECRET,
        WEB_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
    )
    web = bootstrap(settings, transport=httpx.ASGITransport(app=fake_api_app))
    await web.start()
    yield web
    await web.stop()


@pytest.fixture
async def browser(web: Web) -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar, like a browser without JavaScript."""
    transport = httpx.ASGITransport(app=create_app(web))
    async with httpx.AsyncClient(transport=transport, base_url="http://lotse.test") as client:
        client.cookies.set("lotse_lang", "en")  # the tests read English; German has its own
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, account: str = "adv-1") -> str:
    """Sign in through the development sign-in page; returns the session's CSRF token."""
    page = await client.get("/sign-in")
    answer = await client.post(
        "/sign-in", data={"account": account, "csrf_token": csrf_of(page), "next": "/"}
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(await client.get("/accessibility"))
