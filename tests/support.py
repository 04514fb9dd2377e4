"""Small pieces the test suites share."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

__all__ = [
    "FIGURES",
    "PUBLISHED_SCHEMAS",
    "LocalKafka",
    "RecordingSmtpHandler",
    "TcpProxy",
    "create_database",
    "free_port",
    "report_figure",
    "unavailable",
]

IN_CI = bool(os.environ.get("CI"))
# Published JSON Schemas (AsyncAPI …) that make test fetches from a package registry.
PUBLISHED_SCHEMAS = Path(__file__).resolve().parents[1] / "var" / "schemas"


# Figures the tests measure (Keycloak's start, what each forgery got), for the session's
# summary; a file, because with several workers the measuring process is not the printing one.
FIGURES = Path(__file__).resolve().parents[1] / "var" / "test-figures.txt"


def report_figure(line: str) -> None:
    """One line for the summary at the end of the test session."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES.open("a", encoding="utf-8") as out:
        out.write(line.rstrip("\n") + "\n")


def unavailable(what: str) -> None:
    """No broker, database or schema: a failure in CI, a skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RecordingSmtpHandler:
    """An SMTP server's handler that keeps what it accepts; ``reply`` can make it refuse."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.recipients: list[list[str]] = []
        self.reply: str | None = None
        self.received = asyncio.Event()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        if self.reply is not None:
            return self.reply
        self.messages.append(envelope.original_content or envelope.content)  # type: ignore[attr-defined]
        self.recipients.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        self.received.set()
        return "250 OK"


def create_database(server: str, name: str) -> str:
    """Create database ``name``; callable from sync and async code alike."""
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(
            server.replace("postgresql+asyncpg", "postgresql") + "/postgres"
        )
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    # A thread of its own, so no running event loop is in the way.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()
    return f"{server}/{name}"


class LocalKafka:
    """A broker of the test's own from deploy/kafka/launch.py, which it may stop and start again."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port, self.controller_port = free_port(), free_port()
        root = Path(__file__).resolve().parents[1]
        self.launcher = [sys.executable, str(root / "deploy" / "kafka" / "launch.py")]

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> str:
        """Start it (the same node and data after a stop); '' when it started, else why not."""
        ports = ["--port", str(self.port), "--controller-port", str(self.controller_port)]
        done = subprocess.run(
            [*self.launcher, "start", "--data-dir", str(self.data_dir), *ports],
            capture_output=True,
            text=True,
            check=False,
        )
        return "" if done.returncode == 0 else (done.stderr.strip() or done.stdout.strip())

    def stop(self) -> None:
        subprocess.run(
            [*self.launcher, "stop", "--data-dir", str(self.data_dir)],
            capture_output=True,
            check=False,
        )


class TcpProxy:
    """Forwards a local port to ``target``; :meth:`cut` drops every connection and refuses
    new ones until :meth:`restore` — a database or broker that is suddenly unreachable."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.cut_off = False
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()

    def cut(self) -> None:
        self.cut_off = True
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def restore(self) -> None:
        self.cut_off = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            if self.cut_off:
                sink.transport.abort()
            else:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._open -= {writer, up_writer}
