"""A service that cannot check its callers' tokens does not start, and says why in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import JWT_SECRET
from tests.support import free_port

SERVICES = ("catalog", "matching", "notifications", "web")


def start(name: str, tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "WEB_"))}
    env |= {
        "LOTSE_ENV": "test",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        f"{name.upper()}_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", f"lotse_{name}", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", SERVICES)
def test_an_issuer_that_does_not_answer_stops_the_start(name: str, tmp_path: Path) -> None:
    issuer = f"http://127.0.0.1:{free_port()}/realms/lotse"
    finished = start(name, tmp_path, LOTSE_OIDC_ISSUER=issuer)
    assert finished.returncode != 0
    last = finished.stderr.strip().splitlines()
    assert last == [
        f"lotse-{name} does not start: the issuer {issuer} did not answer for its discovery "
        f"document at {issuer}/.well-known/openid-configuration: All connection attempts failed"
    ]


@pytest.mark.parametrize("name", SERVICES)
def test_an_issuer_beside_a_local_key_is_refused_outside_development(
    name: str, tmp_path: Path
) -> None:
    issuer = f"http://127.0.0.1:{free_port()}/realms/lotse"
    finished = start(name, tmp_path, LOTSE_OIDC_ISSUER=issuer, LOTSE_JWT_SECRET=JWT_SECRET)
    assert finished.returncode != 0
    assert finished.stderr.strip().splitlines() == [
        f"lotse-{name} does not start: LOTSE_OIDC_ISSUER and LOTSE_JWT_SECRET are both set; "
        "outside development Lotse trusts only the issuer: unset LOTSE_JWT_SECRET"
    ]


def test_a_placeholder_key_is_refused_in_one_line(tmp_path: Path) -> None:
    finished = start("catalog", tmp_path, LOTSE_JWT_SECRET="change-me")
    assert finished.returncode != 0
    assert finished.stderr.strip().splitlines() == [
        "lotse-catalog does not start: LOTSE_JWT_SECRET is a placeholder; generate one with: "
        'python -c "import secrets; print(secrets.token_urlsafe(48))"'
    ]
