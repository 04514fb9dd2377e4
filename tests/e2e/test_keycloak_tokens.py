"""Every service trusts a real Keycloak's access tokens, and refuses every forgery with 401.

The services run as processes with only ``LOTSE_OIDC_ISSUER`` set (no local key).
Tokens come from Keycloak's token endpoint through the test-only client; the
forgeries are made from real tokens and the realm's published keys.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.keycloak import Keycloak, claims_of, header_of
from tests.processes import SCHWERTE, Service, offer_body
from tests.support import report_figure

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

# One call per service that each of the three roles may make.
CALLS = {
    "catalog": ("GET", "/v1/providers"),
    "matching": ("GET", "/v1/stats/coverage"),
    "notifications": ("GET", "/v1/notifications"),
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def resigned(token: str, header: dict[str, Any], secret: bytes | None) -> str:
    """The real token's claims under another header: unsigned, or HMAC'd with ``secret``."""
    payload = token.split(".")[1]
    signing_input = f"{b64(json.dumps(header).encode())}.{payload}"
    if secret is None:
        return f"{signing_input}."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def realm_public_key_pem(keycloak: Keycloak, kid: str) -> bytes:
    jwks = httpx.get(f"{keycloak.issuer}/protocol/openid-connect/certs", timeout=10).json()
    [entry] = [k for k in jwks["keys"] if k["kid"] == kid]
    public = jwt.algorithms.RSAAlgorithm.from_jwk(entry)
    return bytes(
        public.public_bytes(  # type: ignore[union-attr]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def own_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def short_lived_client(keycloak: Keycloak) -> str:
    """A second test client whose tokens live 2 s and one without the ``lotse`` audience."""
    for client_id, attributes, with_lotse in (
        ("lotse-tests-brief", {"access.token.lifespan": "2"}, True),
        ("lotse-tests-elsewhere", {}, False),
    ):
        if keycloak.admin("GET", "/clients", params={"clientId": client_id}).json():
            continue
        keycloak.admin(
            "POST",
            "/clients",
            json={
                "clientId": client_id,
                "publicClient": False,
                "secret": f"{client_id}-secret",
                "standardFlowEnabled": False,
                "directAccessGrantsEnabled": True,
                "attributes": attributes,
            },
        )
        [client] = keycloak.admin("GET", "/clients", params={"clientId": client_id}).json()
        scopes = {s["name"]: s["id"] for s in keycloak.admin("GET", "/client-scopes").json()}
        assigned = {
            s["name"]
            for s in keycloak.admin("GET", f"/clients/{client['id']}/default-client-scopes").json()
        }
        for name in ("basic", "roles", "lotse") if with_lotse else ("basic", "roles"):
            keycloak.admin("PUT", f"/clients/{client['id']}/default-client-scopes/{scopes[name]}")
        if not with_lotse and "lotse" in assigned:
            keycloak.admin(
                "DELETE", f"/clients/{client['id']}/default-client-scopes/{scopes['lotse']}"
            )
    return "lotse-tests-brief"


async def test_each_service_takes_keycloak_tokens_and_refuses_every_forgery(
    keycloak: Keycloak, lotse_trusting_keycloak: dict[str, Service]
) -> None:
    trusting = lotse_trusting_keycloak
    admin = keycloak.password_token("ki-admin", "ki-admin-dev")
    provider = keycloak.password_token("vhs-schwerte", "vhs-schwerte-dev")
    advisor = keycloak.password_token("adv-schwerte-1", "adv-schwerte-1-dev")
    nobody = keycloak.password_token("no-role-user", "no-role-user-dev")
    catalog = trusting["catalog"].url
    async with httpx.AsyncClient(timeout=10) as client:
        # The directory the realm's users stand for, registered by the KI's admin.
        for path, body in (
            (
                "/v1/providers",
                {"id": "vhs-schwerte", "name": "VHS Schwerte", "contact_email": "info@vhs.example"},
            ),
            (
                "/v1/advisors",
                {
                    "id": "adv-schwerte-1",
                    "name": "Aylin Demir",
                    "email": "aylin.demir@ki-unna.example",
                    "organisation": "KI Kreis Unna",
                },
            ),
        ):
            created = await client.post(f"{catalog}{path}", json=body, headers=bearer(admin))
            assert created.status_code == 201, created.text

        # Each role does its work with its Keycloak token.
        offer = await client.post(
            f"{catalog}/v1/offers",
            json=offer_body("Deutschkurs B1", "language_course"),
            headers=bearer(provider),
        )
        assert offer.status_code == 201, offer.text
        assert offer.json()["provider_id"] == "vhs-schwerte"
        need = await client.post(
            f"{catalog}/v1/needs",
            json={"municipality": SCHWERTE, "age": 30, "categories": ["language_course"]},
            headers=bearer(advisor),
        )
        assert need.status_code == 201, need.text
        counts = await client.get(
            f"{trusting['matching'].url}/v1/match-counts", headers=bearer(advisor)
        )
        assert counts.status_code == 200, counts.text
        for name, (method, path) in CALLS.items():
            answer = await client.request(
                method, f"{trusting[name].url}{path}", headers=bearer(admin)
            )
            assert answer.status_code == 200, (name, answer.text)

        # A real token without a Lotse role: 403 naming what is missing, on every service.
        for name, (method, path) in CALLS.items():
            answer = await client.request(
                method, f"{trusting[name].url}{path}", headers=bearer(nobody)
            )
            assert answer.status_code == 403, (name, answer.text)
            assert (
                "none of the roles lotse-admin, lotse-provider, lotse-advisor"
                in (answer.json()["detail"])
            )

        # The attacks of the issue: each gets 401, on every service.
        brief = short_lived_client(keycloak)
        expiring = keycloak.password_token(
            "ki-admin", "ki-admin-dev", client_id=brief, client_secret=f"{brief}-secret"
        )
        elsewhere = keycloak.password_token(
            "ki-admin",
            "ki-admin-dev",
            client_id="lotse-tests-elsewhere",
            client_secret="lotse-tests-elsewhere-secret",
        )
        assert "lotse" not in str(claims_of(elsewhere).get("aud"))
        kid = header_of(admin)["kid"]
        other_issuer = claims_of(admin) | {"iss": "https://id.other-district.example/realms/lotse"}
        stranger = own_key()
        attacks = {
            "another issuer (master realm admin)": keycloak.admin_token(),
            "another issuer (same key id, own key)": jwt.encode(
                other_issuer, stranger, algorithm="RS256", headers={"kid": kid}
            ),
            "wrong audience": elsewhere,
            "alg none": resigned(admin, {"alg": "none", "typ": "JWT", "kid": kid}, None),
            "HS256 keyed with the realm's public key": resigned(
                admin,
                {"alg": "HS256", "typ": "JWT", "kid": kid},
                realm_public_key_pem(keycloak, kid),
            ),
            "unknown kid (after the refetch)": jwt.encode(
                claims_of(admin), stranger, algorithm="RS256", headers={"kid": "not-a-realm-key"}
            ),
        }
        await asyncio.sleep(max(0.0, claims_of(expiring)["exp"] - time.time() + 1))
        attacks["expired"] = expiring
        results: list[tuple[str, str, int, str]] = []
        for attack, token in attacks.items():
            for name, (method, path) in CALLS.items():
                answer = await client.request(
                    method, f"{trusting[name].url}{path}", headers=bearer(token)
                )
                detail = answer.json().get("detail", "")
                results.append((name, attack, answer.status_code, detail))
                report_figure(f"attack on {name}: {attack} -> {answer.status_code} {detail}")
                assert answer.status_code == 401, (name, attack, answer.text)
        reasons = {attack: detail for name, attack, _, detail in results if name == "catalog"}
        # The master realm signs with keys of its own, which this realm never published.
        assert reasons["another issuer (master realm admin)"].startswith("unknown signing key")
        assert reasons["another issuer (same key id, own key)"] == "bad signature"
        assert reasons["wrong audience"] == "wrong audience"
        assert reasons["alg none"] == "algorithm 'none' not allowed (only RS256, ES256)"
        assert reasons["HS256 keyed with the realm's public key"] == (
            "algorithm 'HS256' not allowed (only RS256, ES256)"
        )
        assert reasons["unknown kid (after the refetch)"] == "unknown signing key 'not-a-realm-key'"
        assert reasons["expired"] == "token expired"

        # A new signing key in the realm: tokens signed with it work at once, no restart.
        rotated = keycloak.rotate_key()
        await asyncio.sleep(1.1)  # past the refetch interval the forged kid above used up
        fresh = keycloak.password_token("ki-admin", "ki-admin-dev")
        assert header_of(fresh)["kid"] == rotated != kid
        for name, (method, path) in CALLS.items():
            answer = await client.request(
                method, f"{trusting[name].url}{path}", headers=bearer(fresh)
            )
            assert answer.status_code == 200, (name, answer.text)
        # The older key is still published, so tokens signed before the rotation still work.
        old = await client.get(f"{catalog}/v1/providers", headers=bearer(admin))
        assert old.status_code == 200
