"""The processes a benchmark runs against, each started on free loopback ports and stopped again.

:class:`Postgres` is a throwaway cluster in a temporary folder (fsync stays on);
:class:`Kafka` is the project's own launcher on a temporary data folder;
:class:`CatalogServer` is one uvicorn worker of the catalog. Every ``stop`` is safe to
call twice and after a failed ``start``.
"""

from __future__ import annotations

import asyncio
import glob
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import asyncpg

__all__ = [
    "CatalogServer",
    "Kafka",
    "Postgres",
    "Service",
    "StartFailed",
    "free_port",
    "http_call",
    "on_kafka_and_postgres",
]

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "deploy" / "kafka" / "launch.py"
APP = "lotse_catalog.entrypoints.api:create_app"


class StartFailed(Exception):
    """A server did not come up; the message says which, with the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_call(
    port: int, method: str, path: str, body: bytes | None = None, token: str | None = None
) -> tuple[int, bytes]:
    """One plain request to 127.0.0.1 for setting up; the load goes through bench.http_load."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise StartFailed(f"no PostgreSQL {name}: apt-get install -y postgresql")
    return found[-1]


def _as_postgres(*command: str) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class Postgres:
    """A throwaway PostgreSQL cluster with its defaults, fsync and synchronous_commit on."""

    def __init__(self) -> None:
        self.base: Path | None = None
        self.port = 0
        self._started = False

    @property
    def data(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="lotse-bench-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.port = free_port()
        initdb = [_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
        subprocess.run(  # noqa: S603
            _as_postgres(*initdb, "-E", "UTF8"), check=True, capture_output=True, timeout=120
        )
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
            " -c max_connections=200 -c fsync=on -c synchronous_commit=on"
        )
        self._started = True
        pg_ctl = [_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options]
        started = subprocess.run(  # noqa: S603
            _as_postgres(*pg_ctl, "-l", str(self.base / "log"), "-w", "-t", "60", "start"),
            capture_output=True,
            text=True,
            check=False,
            timeout=90,
        )
        if started.returncode != 0:
            raise StartFailed(f"PostgreSQL did not start: {started.stderr.strip()[-300:]}")

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])

    async def create_databases(self, *names: str) -> None:
        conn = await asyncpg.connect(self.dsn("postgres"))
        try:
            for name in names:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def settings(self) -> dict[str, str]:
        """What makes a write durable, and how fast it can be, as the server reports it."""
        conn = await asyncpg.connect(self.dsn("postgres"))
        try:
            names = (
                "server_version",
                "fsync",
                "synchronous_commit",
                "wal_sync_method",
                "full_page_writes",
                "shared_buffers",
                "max_wal_size",
                "commit_delay",
            )
            return {name: str(await conn.fetchval(f"SHOW {name}")) for name in names}
        finally:
            await conn.close()

    def stop(self) -> None:
        if self.base is None:
            return
        if self._started:
            for mode, timeout in (("fast", 60), ("immediate", 30)):
                try:
                    subprocess.run(  # noqa: S603
                        _as_postgres(
                            _pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"
                        ),
                        capture_output=True,
                        check=False,
                        timeout=timeout,
                    )
                    break
                except subprocess.TimeoutExpired:
                    continue
        shutil.rmtree(self.base, ignore_errors=True)
        self.base, self._started = None, False


class Kafka:
    """One Kafka broker from deploy/kafka/launch.py, with Lotse's topics created."""

    def __init__(self) -> None:
        self.data_dir: Path | None = None
        self.port = 0

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _launcher(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        assert self.data_dir is not None
        return subprocess.run(  # noqa: S603
            [sys.executable, str(LAUNCHER), *args, "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=timeout,
        )

    def start(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="lotse-bench-kafka-"))
        self.port = free_port()
        ports = ["--port", str(self.port), "--controller-port", str(free_port())]
        started = self._launcher("start", *ports, "--timeout", "120", timeout=240)
        if started.returncode != 0:
            raise StartFailed(f"Kafka did not start: {(started.stderr or started.stdout).strip()}")

    def pid(self) -> int:
        assert self.data_dir is not None
        return int((self.data_dir / "kafka.pid").read_text().strip())

    def stop(self) -> None:
        if self.data_dir is None:
            return
        if (self.data_dir / "kafka.pid").exists():
            self._launcher("stop", timeout=60)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir = None


class Service:
    """One Lotse service as ``python -m lotse_<name>`` on a free port, with ``env`` added."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix=f"lotse-bench-{name}-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", f"lotse_{self.name}", "--port", str(self.port)]

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with (self.folder / "service.log").open("wb") as out:
            # A session of its own: Ctrl-C reaches only the benchmark, which stops this in order.
            self.process = subprocess.Popen(  # noqa: S603
                self.command(),
                env=os.environ | self.env,
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return (self.folder / "service.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 120.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StartFailed(f"{self.name} exited:\n{self.log_tail()}")
            try:
                if http_call(self.port, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise StartFailed(f"{self.name} was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


class CatalogServer(Service):
    """``uvicorn --factory lotse_catalog.entrypoints.api:create_app --workers 1``, quiet."""

    def __init__(self, database_url: str, kafka_bootstrap: str) -> None:
        self.jwt_secret = secrets.token_urlsafe(36)  # 48 characters
        env = {
            "CATALOG_DATABASE_URL": database_url,
            "CATALOG_REVIEW_POLICY": "off",  # the publishing path itself, as the targets name it
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "LOTSE_ENV": "production",
            "LOTSE_JWT_SECRET": self.jwt_secret,
        }
        super().__init__("catalog", env)

    def command(self) -> list[str]:
        options = f"--host 127.0.0.1 --port {self.port} --workers 1 --no-access-log"
        return [sys.executable, "-m", "uvicorn", "--factory", APP, *options.split(),
                "--log-level", "warning"]  # fmt: skip


def on_kafka_and_postgres(
    what: str,
    run: Callable[[Kafka, Postgres], Coroutine[Any, Any, dict[str, Any]]],
    report: Path,
) -> dict[str, Any]:
    """Start a broker and a cluster of the benchmark's own, ``run`` on them, stop both, and
    write the result as JSON to ``report``."""
    kafka, pg = Kafka(), Postgres()
    try:
        print(f"starting Kafka, PostgreSQL{what} ...", flush=True)
        kafka.start()
        pg.start()
        result = asyncio.run(run(kafka, pg))
    finally:
        kafka.stop()
        pg.stop()
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(result, indent=2) + "\n")
    return result
