"""Real infrastructure for every test: Kafka and PostgreSQL, found or started here.

Kafka, in this order: ``KAFKA_BOOTSTRAP_SERVERS`` if set; testcontainers when a
Docker engine answers; otherwise the project's own launcher (deploy/kafka).
PostgreSQL: ``LOTSE_TEST_POSTGRES_URL`` if set; otherwise a throwaway cluster
from Debian's binaries in a temporary folder. With ``CI`` set, a missing broker
or database fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.support import (
    FIGURES,
    LocalKafka,
    RecordingSmtpHandler,
    create_database,
    free_port,
    unavailable,
)

ROOT = Path(__file__).resolve().parent


_FIGURES_FROM = pytest.StashKey[int]()

# A property test that names no count of its own draws 150 examples in make test. The fast tier
# (make test-fast selects the profile) draws 25: enough to catch a rule that broke, in seconds.
settings.register_profile("full", max_examples=150)
settings.register_profile("fast", max_examples=25)
settings.load_profile("full")  # --hypothesis-profile, read after this file, may choose another


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # an xdist worker; the controller prints


def pytest_sessionstart(session: pytest.Session) -> None:
    # Only what this session measures is printed at its end (make test runs pytest twice).
    session.config.stash[_FIGURES_FROM] = FIGURES.stat().st_size if FIGURES.exists() else 0


# What makes a test slow: a real database, broker, mail server or identity provider.
_INFRASTRUCTURE = frozenset(
    {
        "database_url",
        "postgres_url",
        "postgres_server",
        "kafka_bootstrap",
        "unique_topic",
        "smtp_server",
        "keycloak",
    }
)

# Property tests that build a service over a SQLite file of their own, without the fixtures.
_OWN_DATABASE = frozenset({"test_review_property.py", "test_order_independence.py"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        # Whichever test first asks for Keycloak waits for its start (15 to 70 s on two busy
        # cores) inside its own time limit; give those tests room for it.
        if "keycloak" in fixtures:
            item.add_marker(pytest.mark.timeout(360))
        # The fast tier: a service's or shared's own tests that use fakes and memory only.
        cross_service = item.path.is_relative_to(ROOT / "tests")
        own_database = item.path.name in _OWN_DATABASE
        slow = item.get_closest_marker("slow") is not None
        if not cross_service and not own_database and not slow and not fixtures & _INFRASTRUCTURE:
            item.add_marker(pytest.mark.fast)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # The cross-service tests are never fast: the fast tier need not import them (their browser
    # and process helpers were a good part of its start).
    if config.getoption("markexpr") == "fast" and collection_path.is_relative_to(ROOT / "tests"):
        return True
    return None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _is_worker(config) and FIGURES.exists():
        with FIGURES.open("rb") as figures:
            figures.seek(config.stash.get(_FIGURES_FROM, 0))
            for line in figures.read().decode("utf-8").splitlines():
                terminalreporter.write_line(line)


def _docker_answers() -> bool:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return True  # a remote engine: let testcontainers try it
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(host.removeprefix("unix://"))
            sock.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b" 200 " in sock.recv(1024)
    except OSError:
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a real Kafka broker with Lotse's topics created."""
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield servers
        return
    if _docker_answers():
        from testcontainers.community.kafka import KafkaContainer  # type: ignore[import-not-found]

        with KafkaContainer() as container:
            servers = container.get_bootstrap_server()
            from lotse_shared.kafka import create_topics

            asyncio.run(create_topics(servers))
            yield servers
        return
    data_dir = Path(tempfile.mkdtemp(prefix="lotse-kafka-"))
    broker = LocalKafka(data_dir)
    failure = broker.start()
    if failure:
        unavailable(f"no Kafka broker: {failure}")
    try:
        yield broker.bootstrap
    finally:
        broker.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL (no database part) the tests may create databases on."""
    if url := os.environ.get("LOTSE_TEST_POSTGRES_URL"):
        yield url.rstrip("/")
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        unavailable("no PostgreSQL binaries (apt-get install -y postgresql)")
    assert initdb is not None and pg_ctl is not None
    base = Path(tempfile.mkdtemp(prefix="lotse-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    subprocess.run(
        _as_postgres(
            pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "stop"), capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for one test: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    yield request.getfixturevalue("postgres_url")


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
async def unique_topic(kafka_bootstrap: str) -> str:
    """A topic of its own for one test, so tests never read each other's messages."""
    from lotse_shared.contracts import Topic
    from lotse_shared.kafka import create_topics

    name = f"test.{uuid.uuid4().hex[:12]}"
    await create_topics(
        kafka_bootstrap, (Topic(name, key="test", description="test", partitions=3),)
    )
    return name


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[int, RecordingSmtpHandler]]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    from aiosmtpd.smtp import SMTP

    handler = RecordingSmtpHandler()
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, hostname="test-smtp"), "127.0.0.1", port
    )
    yield port, handler
    server.close()
    await server.wait_closed()
