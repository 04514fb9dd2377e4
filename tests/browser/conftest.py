"""A real browser (Debian's Chromium through Playwright) on the real stack, and axe-core.

Playwright's own browser download cannot work on these machines, so the
browser is the system's ``chromium``; ``make test`` installs it when missing.
With ``CI`` set, a missing browser or axe-core is a failure, never a skip.
"""

from __future__ import annotations

import glob
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from lotse_shared.identity import Role
from tests.processes import (
    ADMIN,
    Service,
    bearer,
    offer_body,
    start_service,
    wait_ready,
)
from tests.support import free_port, unavailable

ROOT = Path(__file__).resolve().parents[2]
# As root, and on a closed network: no sandbox, and none of the browser's background calls.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        unavailable("no Chromium (apt-get install -y chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    found = sorted(glob.glob(str(ROOT / "var/frontend/axe-core-*.min.js")))
    if not found:
        unavailable("no axe-core (make frontend fetches it from the npm registry)")
    return Path(found[-1])


async def axe_violations(page: Page, script: Path) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    await page.add_script_tag(path=str(script))
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in violations
    )


@dataclass
class Stack:
    services: dict[str, Service]
    web: Service
    provider: dict[str, str]
    provider_id: str
    advisor_id: str
    advisor_name: str
    advisor_email: str

    @property
    def url(self) -> str:
        return self.web.url

    async def post_offer(self, title: str) -> dict[str, Any]:
        """A language course in Schwerte, published through the catalog's API as the provider."""
        async with httpx.AsyncClient() as client:
            posted = await client.post(
                f"{self.services['catalog'].url}/v1/offers",
                json=offer_body(title, "language_course"),
                headers=self.provider,
            )
        assert posted.status_code == 201, posted.text
        answer: dict[str, Any] = posted.json()
        return answer


@pytest.fixture
async def stack(lotse: dict[str, Service], tmp_path: Path) -> AsyncIterator[Stack]:
    """The three services, the web app in development mode, and a provider and an advisor."""
    async with web_on(lotse, tmp_path) as built:
        yield built


@pytest.fixture
async def reviewing_stack(
    lotse_reviewing: dict[str, Service], tmp_path: Path
) -> AsyncIterator[Stack]:
    """The same, with the review as a district runs it: a new provider's offers wait."""
    async with web_on(lotse_reviewing, tmp_path) as built:
        yield built


@asynccontextmanager
async def web_on(lotse: dict[str, Service], tmp_path: Path) -> AsyncIterator[Stack]:
    run = uuid.uuid4().hex[:8]
    catalog = lotse["catalog"]
    env = catalog.env | {
        "LOTSE_ENV": "development",
        "WEB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        "WEB_CATALOG_URL": catalog.url,
        "WEB_MATCHING_URL": lotse["matching"].url,
        "WEB_NOTIFICATIONS_URL": lotse["notifications"].url,
        "WEB_FINDER_FRESH_SECONDS": "0",  # the finder shows what was published a moment ago
    }
    port = free_port()  # known before the start: handouts link to the web app's own address
    env["WEB_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    web = start_service("web", env, tmp_path, port)
    provider_id, advisor_id = f"vhs-{run}", f"adv-{run}"
    # Each stack has databases and topics of its own, so plain names cannot collide.
    name, address = "Aylin Demir", f"advisor-{run}@ki-unna.example"
    try:
        await wait_ready(web)
        async with httpx.AsyncClient(base_url=catalog.url) as client:
            for path, body in (
                ("/v1/providers", {"id": provider_id, "name": "VHS Schwerte",
                                   "contact_email": "info@vhs.example"}),
                ("/v1/advisors", {"id": advisor_id, "name": name, "email": address,
                                  "organisation": "KI Kreis Unna"}),
            ):  # fmt: skip
                answer = await client.post(path, json=body, headers=ADMIN)
                assert answer.status_code == 201, answer.text
        yield Stack(lotse, web, bearer(provider_id, Role.PROVIDER), provider_id, advisor_id,
                    name, address)  # fmt: skip
    finally:
        web.stop()
