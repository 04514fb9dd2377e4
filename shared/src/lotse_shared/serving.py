"""Running a service's ASGI app under uvicorn, so that a requested stop ends with exit status 0.

uvicorn finishes in-flight requests and runs the app's shutdown (which stops
the Kafka consumers after their current message and commits their offsets),
then raises the signal it caught once more, so that the process dies of it
(status 143 for SIGTERM). A process manager asked for that stop; here the
signal, raised again after a clean shutdown, ends the process with 0.

Before uvicorn starts, the service checks whom it is to trust: a local key no one should
run with, an issuer together with a local key outside development, or an issuer that does
not answer each stop the start with one line saying so, not a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from types import FrameType

import uvicorn

from lotse_shared.errors import LotseError
from lotse_shared.observability import log_config
from lotse_shared.oidc import verifier_from
from lotse_shared.settings import CommonSettings

__all__ = ["serve"]


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


async def check_trust(settings: CommonSettings) -> None:
    """Raise ``LotseError`` saying why the service's tokens could not be checked."""
    verifier = verifier_from(settings)
    try:
        await verifier.start()
    finally:
        await verifier.close()


def serve(
    factory: str,
    *,
    name: str,
    port: int,
    settings: CommonSettings,
    argv: list[str] | None = None,
) -> None:
    """``python -m lotse_<name> [--host H] [--port P]``: run the app ``factory`` builds.

    ``settings`` are the service's own, read once here to check whom it trusts.
    """
    parser = argparse.ArgumentParser(prog=f"python -m lotse_{name}", description=f"Lotse {name}.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    args = parser.parse_args(argv)
    try:
        asyncio.run(check_trust(settings))
    except LotseError as exc:
        sys.exit(f"lotse-{name} does not start: {exc}")
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    config = log_config(
        f"lotse-{name}",
        json_lines=os.environ.get("LOTSE_LOG_FORMAT", "json") != "text",
        level=os.environ.get("LOTSE_LOG_LEVEL", "INFO").upper(),
    )
    logging.captureWarnings(True)  # warnings, too, become log lines in the same format
    uvicorn.run(factory, factory=True, host=args.host, port=args.port, log_config=config)
