"""Running a service's ASGI app under uvicorn, so that a requested stop ends with exit status 0.

uvicorn finishes in-flight requests and runs the app's shutdown (which stops
the Kafka consumers after their current message and commits their offsets),
then raises the signal it caught once more, so that the process dies of it
(status 143 for SIGTERM). A process manager asked for that stop; here the
signal, raised again after a clean shutdown, ends the process with 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
from types import FrameType

import uvicorn

from lotse_shared.observability import log_config

__all__ = ["serve"]


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(factory: str, *, name: str, port: int, argv: list[str] | None = None) -> None:
    """``python -m lotse_<name> [--host H] [--port P]``: run the app ``factory`` builds."""
    parser = argparse.ArgumentParser(prog=f"python -m lotse_{name}", description=f"Lotse {name}.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    args = parser.parse_args(argv)
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    config = log_config(
        f"lotse-{name}",
        json_lines=os.environ.get("LOTSE_LOG_FORMAT", "json") != "text",
        level=os.environ.get("LOTSE_LOG_LEVEL", "INFO").upper(),
    )
    logging.captureWarnings(True)  # warnings, too, become log lines in the same format
    uvicorn.run(factory, factory=True, host=args.host, port=args.port, log_config=config)
