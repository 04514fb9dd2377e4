"""Following one change through Lotse: a trace id from the HTTP request to the email.

The trace travels as a W3C ``traceparent``: an HTTP request brings one or
gets a new one; every event written while it is current carries it as the
CloudEvents distributed-tracing attribute (the ``ce_traceparent`` header, kept
in the outbox row); a consumer makes the traceparent of the record it handles
current, so the events it writes in turn carry the same trace id. Log lines
are JSON objects with the trace id and the CloudEvents id in hand.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "JsonFormatter",
    "continued",
    "current_event_id",
    "current_traceparent",
    "handling",
    "log_config",
    "new_traceparent",
    "trace_id_of",
]

current_traceparent: ContextVar[str | None] = ContextVar("lotse_traceparent", default=None)
current_event_id: ContextVar[str | None] = ContextVar("lotse_event_id", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def new_traceparent(trace_id: str | None = None) -> str:
    """A traceparent for a new span: in trace ``trace_id``, or in a new trace."""
    return f"00-{trace_id or secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id in a valid traceparent, else None."""
    found = _TRACEPARENT.match(traceparent or "")
    if found is None or found.group(1) == "0" * 32:
        return None
    return found.group(1)


def continued(traceparent: str | None) -> str:
    """A child span of ``traceparent`` when it is valid, else the root of a new trace."""
    return new_traceparent(trace_id_of(traceparent))


@contextlib.contextmanager
def handling(event_id: str | None, traceparent: str | None) -> Iterator[None]:
    """While handling one consumed event: its id and its trace (continued) are current."""
    trace = current_traceparent.set(continued(traceparent))
    event = current_event_id.set(event_id)
    try:
        yield
    finally:
        current_event_id.reset(event)
        current_traceparent.reset(trace)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, trace and event ids, error."""

    def __init__(self, service: str = "lotse") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        trace_id = trace_id_of(current_traceparent.get())
        if trace_id:
            entry["trace_id"] = trace_id
        event_id = current_event_id.get()
        if event_id:
            entry["ce_id"] = event_id
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(service: str, *, json_lines: bool = True, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for a service and its uvicorn: JSON lines, or plain text."""
    formatter = (
        {"()": JsonFormatter, "service": service}
        if json_lines
        else {"format": f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's loggers log through the root handler, in the same format.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
            # faststream logs every message received at INFO; the consumer logs what matters.
            "faststream": {"handlers": [], "level": "WARNING", "propagate": True},
            "alembic.runtime.plugins": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
