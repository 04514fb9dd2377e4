"""The shipped realm ``lotse``: first as a file, then imported into a real Keycloak.

The tokens are looked at as Keycloak issues them (claims decoded, not verified:
verifying is the services' job, tested where they do it). A token for a demo
user must carry what Lotse's APIs read — ``aud`` lotse, the realm role,
``lotse_id``, ``lotse_org`` — which in Keycloak 26 needs the audience mapper
and the two attributes declared in the user profile (undeclared ones are
dropped without a word).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.keycloak import Keycloak, TokenRefused, claims_of, header_of

ROOT = Path(__file__).resolve().parents[1]
REALM_FILE = ROOT / "deploy" / "keycloak" / "realm-lotse.json"
ROLES = {"admin": "lotse-admin", "provider": "lotse-provider", "advisor": "lotse-advisor"}
# Keycloak fills ${NAME:default} from its environment when it imports the file; ${name}
# without a default is Keycloak's own message key and stays.
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*):([^}]*)\}")
LOCAL = ["http://127.0.0.1:8000/*", "http://localhost:8000/*"]


def realm() -> dict[str, Any]:
    """The realm as Keycloak imports it where no placeholder is set (make run, the tests)."""
    text = PLACEHOLDER.sub(lambda m: m[2], REALM_FILE.read_text("utf-8"))
    document: dict[str, Any] = json.loads(text)
    return document


def test_a_deployment_sets_only_the_web_apps_address_and_secret_in_the_realm() -> None:
    found = {name for name, _ in PLACEHOLDER.findall(REALM_FILE.read_text("utf-8"))}
    assert found == {"WEB_PUBLIC_URL", "WEB_OIDC_CLIENT_SECRET"}, "the web app's own settings"


def demo_users() -> list[tuple[str, str, str]]:
    """(username, realm role, organisation) of every demo user the realm must hold."""
    demo = json.loads((ROOT / "deploy" / "local" / "demo.json").read_text("utf-8"))
    return [
        ("ki-admin", ROLES["admin"], "KI Kreis Unna"),
        *((p["id"], ROLES["provider"], p["name"]) for p in demo["providers"]),
        *((a["id"], ROLES["advisor"], a["organisation"]) for a in demo["advisors"]),
    ]


# --- the file --------------------------------------------------------------------------------


def test_the_realm_holds_every_demo_user_with_their_role_id_and_organisation() -> None:
    users = {u["username"]: u for u in realm()["users"]}
    assert set(users) == {name for name, _, _ in demo_users()} | {"no-role-user"}
    for name, role, org in demo_users():
        user = users[name]
        assert user["realmRoles"] == ["default-roles-lotse", role]
        assert user["attributes"] == {"lotse_id": [name], "lotse_org": [org]}
        assert user["credentials"] == [
            {"type": "password", "value": f"{name}-dev", "temporary": False}
        ]
        assert user["email"] and user["firstName"] and user["lastName"] and user["emailVerified"]
    assert not set(users["no-role-user"]["realmRoles"]) & set(ROLES.values())
    assert "attributes" not in users["no-role-user"]


def test_the_web_client_may_only_use_the_code_flow_with_pkce() -> None:
    clients = {c["clientId"]: c for c in realm()["clients"]}
    assert set(clients) == {"lotse-web"}, "no client with the password grant is shipped"
    web = clients["lotse-web"]
    assert web["publicClient"] is False and web["secret"] == "lotse-web-development-secret"
    assert web["standardFlowEnabled"] is True
    assert not web["directAccessGrantsEnabled"] and not web["implicitFlowEnabled"]
    assert not web["serviceAccountsEnabled"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert set(web["redirectUris"]) == set(LOCAL)
    assert set(web["attributes"]["post.logout.redirect.uris"].split("##")) == set(LOCAL)
    assert "lotse" in web["defaultClientScopes"]


def test_the_lotse_scope_maps_the_audience_and_both_attributes() -> None:
    [scope] = [s for s in realm()["clientScopes"] if s["name"] == "lotse"]
    mappers = {m["name"]: m for m in scope["protocolMappers"]}
    audience = next(m for m in mappers.values() if m["protocolMapper"] == "oidc-audience-mapper")
    assert audience["config"]["included.custom.audience"] == "lotse"
    assert audience["config"]["access.token.claim"] == "true"
    for name in ("lotse_id", "lotse_org"):
        config = mappers[name]["config"]
        assert mappers[name]["protocolMapper"] == "oidc-usermodel-attribute-mapper"
        assert config["user.attribute"] == config["claim.name"] == name
        assert config["access.token.claim"] == config["id.token.claim"] == "true"
    assert "lotse" in realm()["defaultDefaultClientScopes"]


def test_the_user_profile_declares_both_attributes_for_admins_to_edit_only() -> None:
    [provider] = realm()["components"]["org.keycloak.userprofile.UserProfileProvider"]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    attributes = {a["name"]: a for a in profile["attributes"]}
    for name in ("lotse_id", "lotse_org"):
        assert attributes[name]["permissions"]["edit"] == ["admin"]
    assert {"username", "email", "firstName", "lastName"} <= set(attributes)


# --- in Keycloak -----------------------------------------------------------------------------
# Room for the session's Keycloak to start within the first of these tests: about half a
# minute, a minute more on a machine where it was never built (make keycloak builds it).
in_keycloak = pytest.mark.timeout(300)


@in_keycloak
def test_keycloak_imports_the_realm_and_announces_its_issuer(keycloak: Keycloak) -> None:
    answer = httpx.get(f"{keycloak.issuer}/.well-known/openid-configuration", timeout=10)
    assert answer.status_code == 200
    discovery = answer.json()
    assert discovery["issuer"] == keycloak.issuer
    assert discovery["end_session_endpoint"].startswith(keycloak.issuer)
    assert "S256" in discovery["code_challenge_methods_supported"]
    roles = {r["name"] for r in keycloak.admin("GET", "/roles").json()}
    assert set(ROLES.values()) <= roles
    [web] = keycloak.admin("GET", "/clients", params={"clientId": "lotse-web"}).json()
    # The local addresses the import filled in; other tests may have allowed their own ports.
    assert set(LOCAL) <= set(web["redirectUris"])
    assert all(
        uri.startswith(("http://127.0.0.1:", "http://localhost:")) for uri in web["redirectUris"]
    )
    secret = keycloak.admin("GET", f"/clients/{web['id']}/client-secret").json()["value"]
    assert secret == "lotse-web-development-secret"
    # Keycloak's own message keys survive the placeholders being filled in.
    profile = keycloak.admin("GET", "/users/profile").json()
    assert {a["name"]: a["displayName"] for a in profile["attributes"]}["email"] == "${email}"


@in_keycloak
@pytest.mark.parametrize(
    ("username", "role", "org"), [pytest.param(*user, id=user[0]) for user in demo_users()]
)
def test_a_demo_users_token_carries_audience_role_id_and_organisation(
    keycloak: Keycloak, username: str, role: str, org: str
) -> None:
    token = keycloak.password_token(username, f"{username}-dev")
    claims = claims_of(token)
    assert claims["iss"] == keycloak.issuer
    assert "lotse" in claims["aud"]
    assert role in claims["realm_access"]["roles"]
    assert not (set(ROLES.values()) - {role}) & set(claims["realm_access"]["roles"])
    assert claims["lotse_id"] == username
    assert claims["lotse_org"] == org
    assert claims["preferred_username"] == username


@in_keycloak
def test_the_user_without_a_role_gets_a_token_with_none_of_the_three(keycloak: Keycloak) -> None:
    claims = claims_of(keycloak.password_token("no-role-user", "no-role-user-dev"))
    assert "lotse" in claims["aud"]
    assert not set(ROLES.values()) & set(claims["realm_access"]["roles"])
    assert "lotse_id" not in claims


@in_keycloak
def test_a_wrong_password_is_refused(keycloak: Keycloak) -> None:
    with pytest.raises(TokenRefused) as refused:
        keycloak.password_token("adv-schwerte-1", "adv-schwerte-1-wrong")
    assert (refused.value.status, refused.value.error) == (400, "invalid_grant")


@in_keycloak
def test_the_web_client_refuses_the_password_grant(keycloak: Keycloak) -> None:
    with pytest.raises(TokenRefused) as refused:
        keycloak.password_token(
            "adv-schwerte-1",
            "adv-schwerte-1-dev",
            client_id="lotse-web",
            client_secret="lotse-web-development-secret",
        )
    assert refused.value.error == "unauthorized_client"


@in_keycloak
def test_a_rotated_key_signs_the_next_token_and_is_published(keycloak: Keycloak) -> None:
    before = header_of(keycloak.password_token("ki-admin", "ki-admin-dev"))["kid"]
    kid = keycloak.rotate_key()
    assert kid != before
    assert header_of(keycloak.password_token("ki-admin", "ki-admin-dev"))["kid"] == kid
    jwks = httpx.get(f"{keycloak.issuer}/protocol/openid-connect/certs", timeout=10).json()
    assert {kid, before} <= {key["kid"] for key in jwks["keys"]}


@in_keycloak
def test_user_sessions_lists_a_users_session_until_it_signs_out(keycloak: Keycloak) -> None:
    answer = keycloak.password_grant("vhs-luenen", "vhs-luenen-dev")
    session = claims_of(answer.json()["access_token"])["sid"]
    assert session in {s["id"] for s in keycloak.user_sessions("vhs-luenen")}
    logout = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/logout",
        data={
            "client_id": "lotse-tests",
            "client_secret": "lotse-tests-secret",
            "refresh_token": answer.json()["refresh_token"],
        },
        timeout=10,
    )
    assert logout.status_code == 204
    assert session not in {s["id"] for s in keycloak.user_sessions("vhs-luenen")}


def authorize(keycloak: Keycloak, redirect_uri: str, **pkce: str) -> httpx.Response:
    """The first step of lotse-web's code flow, as a browser would send it."""
    params = {
        "client_id": "lotse-web",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": redirect_uri,
        "state": "state-1",
        "nonce": "nonce-1",
        **pkce,
    }
    url = f"{keycloak.issuer}/protocol/openid-connect/auth"
    return httpx.get(url, params=params, timeout=10, follow_redirects=False)


S256 = {
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "code_challenge_method": "S256",
}


@in_keycloak
def test_the_web_client_shows_the_login_form_only_with_an_s256_challenge(
    keycloak: Keycloak,
) -> None:
    callback = "http://127.0.0.1:8000/sign-in/callback"
    assert 'id="kc-form-login"' in authorize(keycloak, callback, **S256).text
    for pkce in ({}, {"code_challenge": S256["code_challenge"], "code_challenge_method": "plain"}):
        refused = authorize(keycloak, callback, **pkce)
        assert refused.status_code == 302
        assert refused.headers["location"].startswith(callback)
        assert "error=invalid_request" in refused.headers["location"]


@in_keycloak
def test_a_test_may_let_the_web_client_redirect_to_its_own_port(keycloak: Keycloak) -> None:
    keycloak.allow_web("http://127.0.0.1:18555/")
    [web] = keycloak.admin("GET", "/clients", params={"clientId": "lotse-web"}).json()
    assert "http://127.0.0.1:18555/*" in web["redirectUris"]
    assert set(LOCAL) <= set(web["redirectUris"])
    after_logout = web["attributes"]["post.logout.redirect.uris"].split("##")
    assert "http://127.0.0.1:18555/*" in after_logout
    login = authorize(keycloak, "http://127.0.0.1:18555/sign-in/callback", **S256)
    assert login.status_code == 200 and 'id="kc-form-login"' in login.text
    # Keycloak matches the port too: another one stays refused.
    assert authorize(keycloak, "http://127.0.0.1:18556/sign-in/callback", **S256).status_code == 400


@in_keycloak
def test_the_id_token_carries_the_id_and_organisation_too(keycloak: Keycloak) -> None:
    answer = keycloak.password_grant("adv-luenen-1", "adv-luenen-1-dev")
    claims = claims_of(answer.json()["id_token"])
    assert (claims["lotse_id"], claims["lotse_org"]) == ("adv-luenen-1", "JMD Lünen")


@in_keycloak
def test_users_cannot_change_their_own_lotse_id_or_organisation(keycloak: Keycloak) -> None:
    token = keycloak.password_token("awo-kamen", "awo-kamen-dev")
    account = f"{keycloak.issuer}/account"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    me = httpx.get(account, headers=headers, timeout=10).json()
    assert me["attributes"]["lotse_id"] == ["awo-kamen"]
    for name, value in (("lotse_id", "vhs-schwerte"), ("lotse_org", "VHS Schwerte")):
        changed = me | {"attributes": me["attributes"] | {name: [value]}}
        refused = httpx.post(account, headers=headers, json=changed, timeout=10)
        assert refused.status_code == 400
        assert refused.json()["field"] == name
        assert refused.json()["errorMessage"] == "error-user-attribute-read-only"
    user = keycloak.admin("GET", f"/users/{keycloak.user_id('awo-kamen')}").json()
    assert user["attributes"] == {"lotse_id": ["awo-kamen"], "lotse_org": ["AWO Kamen"]}
