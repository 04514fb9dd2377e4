"""Schemathesis sends generated requests to a running catalog: none may cause a server error.

The catalog runs as a process on PostgreSQL (which refuses more than SQLite,
e.g. NUL characters) with a real broker; each role fuzzes the operations it
may use, plus every operation with no token at all.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from tests.processes import start_service, wait_ready
from tests.support import create_database

pytestmark = [pytest.mark.alone, pytest.mark.kafka, pytest.mark.postgres, pytest.mark.e2e]

SECRET = "schemathesis-signing-key-0123456789-0123456789"


async def test_generated_requests_never_cause_a_server_error(
    kafka_bootstrap: str, postgres_server: str, tmp_path: Path
) -> None:
    database_url = create_database(postgres_server, f"fuzz_{uuid.uuid4().hex[:8]}")
    env = {
        "PATH": "/usr/bin:/bin",
        "LOTSE_ENV": "test",
        "LOTSE_JWT_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_REVIEW_POLICY": "off",  # the offers' own answers; the review has its tests
        "LOTSE_TOPIC_PREFIX": "fuzz.",
    }
    catalog = start_service("catalog", env, tmp_path)
    try:
        await wait_ready(catalog)
        codec = JwtCodec(SECRET)
        admin = {"Authorization": f"Bearer {codec.issue('ki-admin', Role.ADMIN)}"}
        async with httpx.AsyncClient(base_url=catalog.url) as client:
            provider = {"id": "fuzz-provider", "name": "Fuzz", "contact_email": "fuzz@example.org"}
            advisor = {
                "id": "fuzz-advisor",
                "name": "Fuzz",
                "email": "fuzz@example.org",
                "organisation": "KI",
            }
            assert (
                await client.post("/v1/providers", json=provider, headers=admin)
            ).status_code == 201
            assert (
                await client.post("/v1/advisors", json=advisor, headers=admin)
            ).status_code == 201

        runs = [
            ("admin", codec.issue("ki-admin", Role.ADMIN), r"^/v1/(providers|advisors)"),
            ("provider", codec.issue("fuzz-provider", Role.PROVIDER), r"^/v1/offers"),
            ("advisor", codec.issue("fuzz-advisor", Role.ADVISOR), r"^/v1/needs"),
            ("anonymous", None, r"^/v1/"),
        ]
        for role, token, paths in runs:
            command = [
                str(Path(sys.executable).parent / "schemathesis"), "run", f"{catalog.url}/openapi.json",
                "--checks", "not_a_server_error", "--max-examples", "25", "--seed", "20261128",
                "--phases", "examples,coverage,fuzzing", "--include-path-regex", paths,
                "--request-timeout", "10", "--no-color",
            ]  # fmt: skip
            if token:
                command += ["--header", f"Authorization: Bearer {token}"]
            result = await asyncio.to_thread(
                subprocess.run,
                command,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
                cwd=tmp_path,
            )
            assert result.returncode == 0, f"{role}: server errors found\n{result.stdout[-6000:]}"
            generated = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
            assert generated, result.stdout[-3000:]
            assert int(generated.group(1)) > 0
    finally:
        catalog.stop()
    assert "Traceback" not in catalog.log.read_text(), catalog.log.read_text()[-4000:]
