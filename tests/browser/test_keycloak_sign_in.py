"""Signing in through Keycloak's own login page, as an advisor and as a provider.

The services and the web app trust the test session's Keycloak and nothing
else; the browser types username and password into Keycloak's form, does one
thing on its desk, signs out, and is signed out of Keycloak too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, describe
from tests.keycloak import Keycloak
from tests.processes import Service, offer_body, start_service, wait_ready
from tests.support import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

PROVIDER = ("vhs-schwerte", "vhs-schwerte-dev")
ADVISOR = ("adv-schwerte-1", "adv-schwerte-1-dev")


@dataclass
class IssuerStack:
    keycloak: Keycloak
    services: dict[str, Service]
    web: Service

    @property
    def url(self) -> str:
        return self.web.url


@pytest.fixture
async def issuer_stack(
    keycloak: Keycloak, lotse_trusting_keycloak: dict[str, Service], tmp_path: Path
) -> AsyncIterator[IssuerStack]:
    services = lotse_trusting_keycloak
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    keycloak.allow_web(public)
    admin = {"Authorization": f"Bearer {keycloak.password_token('ki-admin', 'ki-admin-dev')}"}
    catalog = services["catalog"].url
    async with httpx.AsyncClient(base_url=catalog, timeout=10) as client:
        for path, body in (
            ("/v1/providers", {"id": PROVIDER[0], "name": "VHS Schwerte",
                               "contact_email": "info@vhs.example"}),
            ("/v1/advisors", {"id": ADVISOR[0], "name": "Aylin Demir",
                              "email": "aylin.demir@ki-unna.example",
                              "organisation": "KI Kreis Unna"}),
        ):  # fmt: skip
            answer = await client.post(path, json=body, headers=admin)
            assert answer.status_code == 201, answer.text
    env = services["catalog"].env | {
        "WEB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        "WEB_CATALOG_URL": catalog,
        "WEB_MATCHING_URL": services["matching"].url,
        "WEB_NOTIFICATIONS_URL": services["notifications"].url,
        "WEB_OIDC_CLIENT_SECRET": "lotse-web-development-secret",
        "WEB_PUBLIC_URL": public,
        "WEB_OIDC_NAME": "Keycloak",
    }
    web = start_service("web", env, tmp_path, port=port)
    try:
        await wait_ready(web)
        yield IssuerStack(keycloak, services, web)
    finally:
        web.stop()


async def through_keycloak(page: Page, stack: IssuerStack, who: tuple[str, str]) -> None:
    """From Lotse's sign-in page to Keycloak's form, typed into, and back."""
    await page.goto(f"{stack.url}/sign-in")
    # With an issuer, the development list of accounts is not there.
    await expect(page.get_by_role("button", name="Aylin Demir")).to_have_count(0)
    await page.get_by_role("link", name="Mit Keycloak anmelden").click()
    await page.wait_for_url(f"{stack.keycloak.issuer}/protocol/openid-connect/auth**")
    await page.locator("#username").fill(who[0])
    await page.locator("#password").fill(who[1])
    await page.locator("#kc-login").click()
    await page.wait_for_url(f"{stack.url}/**")


def web_sessions(stack: IssuerStack, username: str) -> list[dict[str, Any]]:
    """The user's Keycloak sessions through the web app (the tests' API tokens have their own)."""
    return [
        s
        for s in stack.keycloak.user_sessions(username)
        if "lotse-web" in s.get("clients", {}).values()
    ]


async def sign_out_everywhere(page: Page, stack: IssuerStack, username: str) -> None:
    assert web_sessions(stack, username), "signed in to Keycloak before signing out"
    await page.get_by_role("button", name="Abmelden").click()
    await page.wait_for_url(f"{stack.url}/sign-in**")
    assert web_sessions(stack, username) == []
    # Lotse's session is gone too, and Keycloak asks for the password again.
    await page.goto(f"{stack.url}/needs")
    await page.wait_for_url(f"{stack.url}/sign-in**")
    await page.get_by_role("link", name="Mit Keycloak anmelden").click()
    await page.wait_for_url(f"{stack.keycloak.issuer}/protocol/openid-connect/auth**")
    await expect(page.locator("#password")).to_be_visible()


async def test_an_advisor_signs_in_at_keycloak_registers_a_need_and_signs_out_of_both(
    browser: Browser, issuer_stack: IssuerStack, axe_script: Path
) -> None:
    context = await browser.new_context(locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    await through_keycloak(page, issuer_stack, ADVISOR)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meine Bedarfe")
    assert describe(await axe_violations(page, axe_script)) == ""

    await page.get_by_role("link", name="Bedarf erfassen").first.click()
    await page.get_by_label("Stadt oder Gemeinde, in der die Person wohnt").select_option(
        label="Schwerte"
    )
    await page.get_by_label("Alter in Jahren").fill("34")
    await page.get_by_label("Deutschkurs", exact=True).check()
    await page.get_by_role("button", name="Bedarf erfassen").click()
    await expect(page.get_by_role("status")).to_contain_text("wurde erfasst")
    need_id = page.url.rsplit("/", 1)[-1]

    await sign_out_everywhere(page, issuer_stack, ADVISOR[0])
    await context.close()
    # The need is the advisor's, registered with Keycloak's token.
    advisor = issuer_stack.keycloak.password_token(*ADVISOR)
    async with httpx.AsyncClient() as client:
        mine = await client.get(
            f"{issuer_stack.services['catalog'].url}/v1/needs/{need_id}",
            headers={"Authorization": f"Bearer {advisor}"},
        )
    assert mine.status_code == 200, mine.text


async def test_a_provider_signs_in_at_keycloak_sets_an_offer_full_and_signs_out_of_both(
    browser: Browser, issuer_stack: IssuerStack
) -> None:
    provider = issuer_stack.keycloak.password_token(*PROVIDER)
    title = f"Deutschkurs B1 {uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient() as client:
        posted = await client.post(
            f"{issuer_stack.services['catalog'].url}/v1/offers",
            json=offer_body(title, "language_course") | {"places_total": 12, "places_available": 8},
            headers={"Authorization": f"Bearer {provider}"},
        )
    assert posted.status_code == 201, posted.text
    offer: dict[str, Any] = posted.json()

    context = await browser.new_context(locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    await through_keycloak(page, issuer_stack, PROVIDER)
    await page.goto(f"{issuer_stack.url}/provider/offers")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meine Angebote")
    await page.locator(f"#full-{offer['id']}").click()
    await expect(page.locator("#messages")).to_contain_text("ist jetzt voll")
    await expect(page.locator(f"#places-{offer['id']}")).to_have_value("0")

    await sign_out_everywhere(page, issuer_stack, PROVIDER[0])
    await context.close()


async def test_an_account_without_a_lotse_role_is_told_so(
    browser: Browser, issuer_stack: IssuerStack, axe_script: Path
) -> None:
    context = await browser.new_context(locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    await through_keycloak(page, issuer_stack, ("no-role-user", "no-role-user-dev"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ihr Konto hat in Lotse noch keine Rolle"
    )
    assert describe(await axe_violations(page, axe_script)) == ""
    await context.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = Path(os.environ.get("LOTSE_SCREENSHOTS") or tmp_path)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def sizes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in folder.glob("sign-in-*.png")}


async def test_screenshots_of_signing_in_through_keycloak(
    browser: Browser, issuer_stack: IssuerStack, folder: Path
) -> None:
    context = await browser.new_context(viewport={"width": 1100, "height": 800}, locale="de-DE")
    page = await context.new_page()
    await page.goto(f"{issuer_stack.url}/sign-in")
    await page.screenshot(path=str(folder / "sign-in-issuer.png"), full_page=True)
    await page.get_by_role("link", name="Mit Keycloak anmelden").click()
    await page.wait_for_url(f"{issuer_stack.keycloak.issuer}/protocol/openid-connect/auth**")
    await page.screenshot(path=str(folder / "sign-in-keycloak.png"), full_page=True)
    await page.locator("#username").fill("no-role-user")
    await page.locator("#password").fill("no-role-user-dev")
    await page.locator("#kc-login").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ihr Konto hat in Lotse noch keine Rolle"
    )
    await page.screenshot(path=str(folder / "sign-in-no-role.png"), full_page=True)
    await context.close()
    assert all(
        (folder / f"sign-in-{n}.png").stat().st_size > 5000
        for n in ("issuer", "keycloak", "no-role")
    )
