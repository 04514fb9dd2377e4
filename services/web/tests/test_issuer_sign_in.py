"""Signing in through an OpenID Connect issuer, against an issuer the test serves itself.

The Authorization Code flow with PKCE from the sign-in button to the desk; state,
nonce and the browser binding refused when wrong; tokens kept on the server and
renewed before they expire; sign-out that ends the issuer's session too.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from lotse_shared.issuer import IssuerUnavailable
from lotse_web.adapters import orm
from lotse_web.bootstrap import Web, bootstrap
from lotse_web.config import WebSettings
from lotse_web.entrypoints.app import create_app
from services.web.tests.conftest import csrf_of
from services.web.tests.fake_issuer import CLIENT_ID, CLIENT_SECRET, ISSUER, OIDC, FakeIssuer
from services.web.tests.fakes import FakeApis

SITE = "http://lotse.test"


def settings_for(tmp_path: Path, **extra: str) -> WebSettings:
    return WebSettings(
        LOTSE_ENV="development",  # as `make run AUTH=keycloak`: plain-HTTP cookies
        LOTSE_OIDC_ISSUER=ISSUER,
        WEB_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        WEB_PUBLIC_URL=SITE,
        WEB_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        **extra,
    )


@pytest.fixture
def issuer() -> FakeIssuer:
    return FakeIssuer()


@pytest.fixture
async def web(
    apis: FakeApis, fake_api_app: FastAPI, issuer: FakeIssuer, tmp_path: Path
) -> AsyncIterator[Web]:
    apis.verify = issuer.principal_of  # the APIs trust the issuer, as they will in production
    web = bootstrap(
        settings_for(tmp_path),
        transport=httpx.ASGITransport(app=fake_api_app),
        issuer_transport=httpx.ASGITransport(app=issuer.app()),
    )
    await web.start()
    yield web
    await web.stop()


def device(web: Web) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(web)), base_url=SITE)
    client.cookies.set("lotse_lang", "en")
    return client


@pytest.fixture
async def browser(web: Web) -> AsyncIterator[httpx.AsyncClient]:
    async with device(web) as client:
        yield client


async def go_to_issuer(browser: httpx.AsyncClient, next: str = "/needs") -> str:
    answer = await browser.get(f"/sign-in/start?next={next}")
    assert answer.status_code == 303
    return answer.headers["location"]


async def sign_in(browser: httpx.AsyncClient, issuer: FakeIssuer, who: str = "adv-1") -> str:
    """Through the issuer's page and back; returns the session's CSRF token."""
    callback = issuer.approve(await go_to_issuer(browser), who)
    answer = await browser.get(callback)
    assert answer.status_code == 303, answer.text
    return csrf_of(await browser.get("/accessibility"))


async def stored_sessions(web: Web) -> list[Any]:
    async with web.engine.connect() as conn:
        return list((await conn.execute(orm.sessions.select())).all())


async def test_the_sign_in_page_offers_only_the_issuer(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/sign-in?next=/needs")
    assert page.status_code == 200
    assert 'href="/sign-in/start?next=/needs"' in page.text
    assert "Sign in with issuer.test" in page.text
    assert "Aylin Demir" not in page.text and "Sign in as" not in page.text
    assert (
        await browser.post("/sign-in", data={"account": "adv-1", "csrf_token": csrf_of(page)})
    ).status_code == 303
    assert "lotse_session" not in browser.cookies  # the development sign-in is not there


async def test_the_issuer_is_asked_for_a_code_with_pkce_state_and_nonce(
    browser: httpx.AsyncClient, web: Web
) -> None:
    answer = await browser.get("/sign-in/start?next=/needs")
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{OIDC}/auth"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{SITE}/sign-in/callback"
    assert "openid" in query["scope"].split()
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] != query["nonce"]
    bound = next(c for c in answer.headers.get_list("set-cookie") if "lotse_sign_in=" in c)
    assert "HttpOnly" in bound and "SameSite=Lax" in bound and "Max-Age=600" in bound
    async with web.engine.connect() as conn:
        (pending,) = (await conn.execute(orm.pending_sign_ins.select())).all()
    assert pending.state_hash == hashlib.sha256(query["state"].encode()).hexdigest()
    assert pending.next == "/needs" and query["state"] not in str(tuple(pending))


async def test_the_callback_opens_a_session_whose_api_token_is_the_access_token(
    browser: httpx.AsyncClient, issuer: FakeIssuer, apis: FakeApis, web: Web
) -> None:
    need = apis.add_need("adv-1")
    callback = issuer.approve(await go_to_issuer(browser, "/needs"), "adv-1")
    answer = await browser.get(callback)
    assert answer.status_code == 303 and answer.headers["location"] == "/needs"
    (grant,) = issuer.grants
    assert grant["grant_type"] == "authorization_code" and len(grant["code_verifier"]) >= 43
    (tokens,) = issuer.issued
    desk = await browser.get("/needs")
    assert desk.status_code == 200 and need["reference"] in desk.text
    assert "Aylin Demir" in desk.text  # the name from the ID token
    assert apis.tokens[-1] == tokens["access_token"]
    (stored,) = await stored_sessions(web)
    assert stored.user_id == "adv-1" and stored.role == "advisor"
    for sealed in ("access_token", "refresh_token", "id_token"):
        assert tokens[sealed] not in str(tuple(stored))  # sealed with the cookie's key
    cookie = browser.cookies["lotse_session"]
    assert "." not in cookie and stored.id_hash != cookie  # no token in the browser
    session = await web.sessions.find(cookie)
    assert session is not None and session.user.tokens is not None
    assert session.user.api_token == tokens["access_token"]
    assert session.user.tokens.refresh_token == tokens["refresh_token"]
    assert session.user.tokens.id_token == tokens["id_token"]
    async with web.engine.connect() as conn:
        assert (await conn.execute(orm.pending_sign_ins.select())).all() == []  # used up


async def test_a_state_that_is_unknown_used_missing_or_too_old_is_refused(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    callback = issuer.approve(await go_to_issuer(browser), "adv-1")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    for wrong in (f"/sign-in/callback?code={code}", f"/sign-in/callback?code={code}&state=guess"):
        answer = await browser.get(wrong)
        assert answer.status_code == 400 and "cannot be completed" in answer.text
        assert 'href="/sign-in/start?next=/"' in answer.text  # and can start again
    assert (await browser.get(callback)).status_code == 303
    browser.cookies.delete("lotse_session")
    replayed = await browser.get(callback)
    assert replayed.status_code == 400 and "cannot be completed" in replayed.text
    stale = issuer.approve(await go_to_issuer(browser), "adv-1")
    async with web.engine.begin() as conn:
        await conn.execute(update(orm.pending_sign_ins).values(
            created_at=datetime.now(UTC) - timedelta(minutes=11)))  # fmt: skip
    assert (await browser.get(stale)).status_code == 400
    assert len(await stored_sessions(web)) == 1  # only the one that was right


async def test_a_sign_in_started_in_another_browser_is_refused(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    # An attacker's own sign-in, completed in the victim's browser, would sign the
    # victim in as the attacker: the state belongs to the browser that started it.
    callback = issuer.approve(await go_to_issuer(browser), "vhs-schwerte")
    async with device(web) as victim:
        answer = await victim.get(callback)
        assert answer.status_code == 400 and "another browser" in answer.text
        assert "lotse_session" not in victim.cookies
    assert await stored_sessions(web) == []
    assert issuer.grants == []  # the code was never even redeemed


async def test_an_id_token_with_another_nonce_is_refused(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    issuer.wrong_nonce = True
    answer = await browser.get(issuer.approve(await go_to_issuer(browser), "adv-1"))
    assert answer.status_code == 400 and "could not be verified" in answer.text
    assert await stored_sessions(web) == []


async def test_a_code_the_issuer_refuses_or_a_cancelled_sign_in_opens_no_session(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    callback = issuer.approve(await go_to_issuer(browser), "adv-1")
    issuer.codes.clear()  # e.g. the code took too long to arrive
    answer = await browser.get(callback)
    assert answer.status_code == 400 and "could not be verified" in answer.text
    state = parse_qs(urlsplit(await go_to_issuer(browser)).query)["state"][0]
    cancelled = await browser.get(f"/sign-in/callback?error=access_denied&state={state}")
    assert cancelled.status_code == 400 and "was not completed" in cancelled.text
    assert await stored_sessions(web) == []


async def test_an_issuer_that_does_not_answer_is_said_so_and_keeps_a_session_going(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    callback = issuer.approve(await go_to_issuer(browser), "adv-1")
    issuer.down = True
    answer = await browser.get(callback)
    assert answer.status_code == 503 and "did not answer" in answer.text
    issuer.down, issuer.access_ttl = False, 45
    await sign_in(browser, issuer)
    issuer.down = True  # renewing fails for now: the tokens there are still do
    assert (await browser.get("/needs")).status_code == 200
    issuer.down = False
    assert (await browser.get("/needs")).status_code == 200
    assert [g["grant_type"] for g in issuer.grants][-2:] == ["refresh_token", "refresh_token"]
    assert len(await stored_sessions(web)) == 1


async def test_an_account_without_a_lotse_role_is_told_whom_to_ask_and_can_sign_out(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    answer = await browser.get(issuer.approve(await go_to_issuer(browser), "no-role-user"))
    assert answer.status_code == 403
    assert "Your account has no role in Lotse yet" in answer.text
    assert "Nora Ohnerolle" in answer.text and "Kommunales Integrationszentrum (KI)" in answer.text
    assert '<form method="post" action="/sign-out">' in answer.text
    assert await stored_sessions(web) == []
    out = await browser.post("/sign-out", data={"csrf_token": csrf_of(answer)})
    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{OIDC}/logout"
    assert query["id_token_hint"] == issuer.issued[-1]["id_token"]
    assert query["post_logout_redirect_uri"] == f"{SITE}/sign-in"


async def test_tokens_are_renewed_a_minute_before_they_expire(
    browser: httpx.AsyncClient, issuer: FakeIssuer, apis: FakeApis, web: Web
) -> None:
    await sign_in(browser, issuer)
    await browser.get("/needs")
    assert [g["grant_type"] for g in issuer.grants] == ["authorization_code"]  # still fresh
    async with web.engine.begin() as conn:  # four minutes and a bit later
        await conn.execute(update(orm.sessions).values(
            token_expires_at=datetime.now(UTC) + timedelta(seconds=50)))  # fmt: skip
    first = issuer.issued[0]
    page = await browser.get("/needs")
    assert page.status_code == 200
    assert [g["grant_type"] for g in issuer.grants] == ["authorization_code", "refresh_token"]
    assert issuer.grants[1]["refresh_token"] == first["refresh_token"]
    renewed = issuer.issued[1]
    assert apis.tokens[-1] == renewed["access_token"] != first["access_token"]
    session = await web.sessions.find(browser.cookies["lotse_session"])
    assert session is not None and session.user.tokens is not None
    assert session.user.api_token == renewed["access_token"]
    assert session.user.tokens.refresh_token == renewed["refresh_token"]
    assert session.user.tokens.expires_at > datetime.now(UTC) + timedelta(minutes=4)


async def test_a_refused_renewal_ends_the_session(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    issuer.access_ttl = 45  # expires within the minute: the next page renews it
    await sign_in(browser, issuer)
    issuer.refuse_refresh = True  # e.g. the issuer's session was ended there
    answer = await browser.get("/needs")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/needs&expired=true"
    assert await stored_sessions(web) == []
    page = await browser.get(answer.headers["location"])
    assert "Your session has ended" in page.text and "Sign in with issuer.test" in page.text


async def test_signing_out_ends_every_session_and_the_issuers(
    browser: httpx.AsyncClient, issuer: FakeIssuer, web: Web
) -> None:
    async with device(web) as phone:
        await sign_in(phone, issuer)
        csrf = await sign_in(browser, issuer)
        page = await browser.get("/needs")
        assert "form-action 'self' http://issuer.test" in page.headers["content-security-policy"]
        answer = await browser.post("/sign-out", data={"csrf_token": csrf})
        assert (await phone.get("/needs")).status_code == 303
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{OIDC}/logout"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query == {
        "id_token_hint": issuer.issued[-1]["id_token"],  # this browser's, not the phone's
        "client_id": CLIENT_ID,
        "post_logout_redirect_uri": f"{SITE}/sign-in",
    }
    assert await stored_sessions(web) == []


async def test_the_development_list_is_there_only_in_development_without_an_issuer(
    tmp_path: Path, fake_api_app: FastAPI
) -> None:
    for environment, listed in (("development", True), ("test", False)):
        settings = WebSettings(
            LOTSE_ENV=environment,
            LOTSE_JWT_SECRET="web-tests-signing-key-0123456789-0123456789",
            WEB_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / environment}.db",
        )
        web = bootstrap(settings, transport=httpx.ASGITransport(app=fake_api_app))
        await web.start()
        async with device(web) as client:
            page = await client.get("/sign-in")
        await web.stop()
        assert ("Aylin Demir" in page.text) is listed
        assert ("No way of signing in is configured" in page.text) is not listed
        assert "/sign-in/start" not in page.text


async def test_an_issuer_that_does_not_answer_stops_the_start(tmp_path: Path) -> None:
    def nobody_home(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    web = bootstrap(settings_for(tmp_path), issuer_transport=httpx.MockTransport(nobody_home))
    with pytest.raises(IssuerUnavailable) as refused:
        await web.start()
    assert ISSUER in str(refused.value) and "\n" not in str(refused.value)
    await web.engine.dispose()
