"""A real Keycloak for the tests, started by deploy/keycloak/launch.py in a folder of its own.

The realm is the shipped ``deploy/keycloak/realm-lotse.json``. It has no client
that may use the password grant, so :meth:`Keycloak.add_test_client` creates
one through the admin REST API (``lotse-tests``, with the realm's ``lotse``
scope, so its tokens carry what Lotse's APIs need). Everything here is
synchronous (httpx), usable from plain and async tests alike.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support import report_figure

__all__ = [
    "ADMIN",
    "TEST_CLIENT",
    "TEST_CLIENT_SECRET",
    "Keycloak",
    "TokenRefused",
    "claims_of",
    "header_of",
]

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = [sys.executable, str(ROOT / "deploy" / "keycloak" / "launch.py")]
REALM = "lotse"
ADMIN = ("admin", "admin-test")
TEST_CLIENT = "lotse-tests"
TEST_CLIENT_SECRET = "lotse-tests-secret"
REALM_PLACEHOLDERS = ("WEB_PUBLIC_URL", "WEB_OIDC_CLIENT_SECRET")


class TokenRefused(Exception):
    """The token endpoint said no; ``error`` is its OAuth error code (``invalid_grant`` …)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description


def _segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def claims_of(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified: for looking at what Keycloak put in, not for trusting it."""
    return _segment(token, 1)


def header_of(token: str) -> dict[str, Any]:
    return _segment(token, 0)


@dataclass
class Keycloak:
    data_dir: Path
    port: int
    startup_seconds: float = 0.0
    rss: int = 0
    _admin_token: tuple[str, float] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{REALM}"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    # --- the process ---------------------------------------------------------------------

    def _launch(self, *command: str) -> subprocess.CompletedProcess[str]:
        # The realm's placeholders keep their defaults: the web app's local address and secret.
        env = {k: v for k, v in os.environ.items() if k not in REALM_PLACEHOLDERS} | {
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN[0],
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1],
        }
        where = ["--data-dir", str(self.data_dir), "--port", str(self.port)]
        return subprocess.run(
            [*LAUNCHER, *command, *where], capture_output=True, text=True, env=env, check=False
        )

    def start(self) -> str:
        """Start it and wait until the realm answers; '' when it did, else why not."""
        began = time.monotonic()
        done = self._launch("start")
        if done.returncode != 0:
            return (done.stderr.strip() or done.stdout.strip()).removeprefix("keycloak: ")
        self.startup_seconds = time.monotonic() - began
        self.rss = self.resident_memory()
        report_figure(
            f"keycloak: ready {self.startup_seconds:.1f} s after start, "
            f"{self.rss / 2**20:.0f} MB resident"
        )
        return ""

    def stop(self) -> None:
        self._launch("stop")

    def resident_memory(self) -> int:
        """Bytes resident in memory, summed over kc.sh and its JVM (one process group)."""
        pid = int((self.data_dir / "keycloak.pid").read_text())
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) != pid:
                    continue
                status = (stat.parent / "status").read_text().splitlines()
                total += next(int(s.split()[1]) for s in status if s.startswith("VmRSS:")) * 1024
            except (OSError, IndexError, ValueError, StopIteration):
                continue
        return total

    # --- tokens --------------------------------------------------------------------------

    def password_grant(
        self,
        username: str,
        password: str,
        *,
        client_id: str = TEST_CLIENT,
        client_secret: str | None = TEST_CLIENT_SECRET,
    ) -> httpx.Response:
        """The token endpoint's raw answer to a resource-owner password grant."""
        form = {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
            "scope": "openid",
        }
        if client_secret is not None:
            form["client_secret"] = client_secret
        return httpx.post(self.token_endpoint, data=form, timeout=30)

    def password_token(
        self,
        username: str,
        password: str,
        *,
        client_id: str = TEST_CLIENT,
        client_secret: str | None = TEST_CLIENT_SECRET,
    ) -> str:
        """An access token for the user, or :class:`TokenRefused`."""
        answer = self.password_grant(
            username, password, client_id=client_id, client_secret=client_secret
        )
        body = answer.json()
        if answer.status_code != 200:
            raise TokenRefused(
                answer.status_code, body.get("error", ""), body.get("error_description", "")
            )
        token: str = body["access_token"]
        return token

    def admin_token(self) -> str:
        """A master-realm admin's access token (admin-cli), reused until shortly before it ends."""
        if self._admin_token and self._admin_token[1] > time.monotonic() + 10:
            return self._admin_token[0]
        answer = httpx.post(
            f"{self.url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": ADMIN[0],
                "password": ADMIN[1],
            },
            timeout=30,
        )
        answer.raise_for_status()
        body = answer.json()
        self._admin_token = (body["access_token"], time.monotonic() + body["expires_in"])
        return self._admin_token[0]

    # --- the admin REST API --------------------------------------------------------------

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call to /admin/realms/lotse``path`` as the master admin; 4xx/5xx raise."""
        answer = httpx.request(
            method,
            f"{self.url}/admin/realms/{REALM}{path}",
            headers={"Authorization": f"Bearer {self.admin_token()}"},
            timeout=30,
            **kwargs,
        )
        answer.raise_for_status()
        return answer

    def add_test_client(self) -> str:
        """Create ``lotse-tests`` (once): password grant on, the realm's ``lotse`` scope by
        default. The shipped realm has no such client; returns its client id."""
        if not self.admin("GET", "/clients", params={"clientId": TEST_CLIENT}).json():
            self.admin(
                "POST",
                "/clients",
                json={
                    "clientId": TEST_CLIENT,
                    "name": "Lotse tests (created by the tests, never shipped)",
                    "protocol": "openid-connect",
                    "publicClient": False,
                    "secret": TEST_CLIENT_SECRET,
                    "standardFlowEnabled": False,
                    "directAccessGrantsEnabled": True,
                    "serviceAccountsEnabled": False,
                },
            )
        [client] = self.admin("GET", "/clients", params={"clientId": TEST_CLIENT}).json()
        scopes = {s["name"]: s["id"] for s in self.admin("GET", "/client-scopes").json()}
        for name in ("basic", "profile", "email", "roles", "lotse"):
            self.admin("PUT", f"/clients/{client['id']}/default-client-scopes/{scopes[name]}")
        return TEST_CLIENT

    def allow_web(self, base_url: str) -> None:
        """Let ``lotse-web`` sign in to and out of a web app at ``base_url`` (a test's own
        port), next to the realm's local addresses."""
        [web] = self.admin("GET", "/clients", params={"clientId": "lotse-web"}).json()
        allowed = f"{base_url.rstrip('/')}/*"
        web["redirectUris"] = sorted({*web["redirectUris"], allowed})
        after_logout = set(web["attributes"].get("post.logout.redirect.uris", "").split("##"))
        web["attributes"]["post.logout.redirect.uris"] = "##".join(
            sorted((after_logout - {""}) | {allowed})
        )
        self.admin("PUT", f"/clients/{web['id']}", json=web)

    def rotate_key(self) -> str:
        """A new RSA signing key above every other one; returns its ``kid``. Tokens issued
        from now on are signed with it, while the older keys stay published."""
        keys = self.admin("GET", "/keys").json()
        top = max(int(k.get("providerPriority", 0)) for k in keys["keys"])
        realm_id = self.admin("GET", "").json()["id"]
        name = f"rotated-{time.time_ns()}"
        self.admin(
            "POST",
            "/components",
            json={
                "name": name,
                "providerId": "rsa-generated",
                "providerType": "org.keycloak.keys.KeyProvider",
                "parentId": realm_id,
                "config": {
                    "priority": [str(top + 100)],
                    "enabled": ["true"],
                    "active": ["true"],
                    "algorithm": ["RS256"],
                    "keySize": ["2048"],
                },
            },
        )
        [component] = self.admin("GET", "/components", params={"name": name}).json()
        for key in self.admin("GET", "/keys").json()["keys"]:
            if key.get("providerId") == component["id"] and key.get("use") == "SIG":
                kid: str = key["kid"]
                return kid
        raise AssertionError(f"Keycloak lists no signing key from component {name}")

    def user_id(self, username: str) -> str:
        [user] = self.admin("GET", "/users", params={"username": username, "exact": "true"}).json()
        found: str = user["id"]
        return found

    def user_sessions(self, username: str) -> list[dict[str, Any]]:
        """The user's open Keycloak sessions: empty once they are signed out of Keycloak too."""
        sessions: list[dict[str, Any]] = self.admin(
            "GET", f"/users/{self.user_id(username)}/sessions"
        ).json()
        return sessions
