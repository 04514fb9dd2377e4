"""Following one change through Lotse: a trace id from the HTTP request to the email.

The trace travels as a W3C ``traceparent``: an HTTP request brings one or
gets a new one; every event written while it is current carries it as the
CloudEvents distributed-tracing attribute (the ``ce_traceparent`` header, kept
in the outbox row); a consumer makes the traceparent of the record it handles
current, so the events it writes in turn carry the same trace id. Work done
for several consumed events at once passes each event's trace to publishing
instead, so every outgoing event carries a child (:func:`continued`) of the
trace of the one that caused it. Log lines are JSON objects with the trace id
and the CloudEvents id in hand.

OpenTelemetry is off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: then each
request and each consumed record is a span (server or consumer), exported
over OTLP/HTTP, and the traceparent passed on is that span's.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "JsonFormatter",
    "configure_tracing",
    "continued",
    "current_event_id",
    "current_traceparent",
    "handling",
    "log_config",
    "new_traceparent",
    "span",
    "stop_tracing",
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


_PROPAGATOR = TraceContextTextMapPropagator()
_tracing: tuple[TracerProvider, Tracer] | None = None


def configure_tracing(
    service: str, endpoint: str | None, *, exporter: SpanExporter | None = None
) -> bool:
    """Export OpenTelemetry spans to ``endpoint`` (OTLP/HTTP), or to ``exporter``; else stay off.

    Once per process: a second call changes nothing. Returns whether spans are made.
    """
    global _tracing
    if _tracing is None and (endpoint or exporter is not None):
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        if exporter is not None:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            base = (endpoint or "").rstrip("/")
            provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces"))
            )
        _tracing = (provider, provider.get_tracer("lotse"))
    return _tracing is not None


def stop_tracing() -> None:
    """Export what is left and turn tracing off."""
    global _tracing
    if _tracing is not None:
        _tracing[0].shutdown()
        _tracing = None


@contextlib.contextmanager
def span(
    name: str,
    parent: str | None,
    *,
    kind: SpanKind = SpanKind.SERVER,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span | None]:
    """Work under ``parent`` (a traceparent) or in a new trace; its traceparent is current.

    Yields the OpenTelemetry span when tracing is on, so the caller can name
    it better once it knows more; else None and only the ids travel.
    """
    if _tracing is None:
        token = current_traceparent.set(continued(parent))
        try:
            yield None
        finally:
            current_traceparent.reset(token)
        return
    context = _PROPAGATOR.extract({"traceparent": parent}) if trace_id_of(parent) else Context()
    with _tracing[1].start_as_current_span(
        name, context=context, kind=kind, attributes=attributes
    ) as current:
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier)
        token = current_traceparent.set(carrier.get("traceparent") or continued(parent))
        try:
            yield current
        finally:
            current_traceparent.reset(token)


@contextlib.contextmanager
def handling(
    topic: str, event_id: str | None, traceparent: str | None, offset: int = 0
) -> Iterator[None]:
    """While handling one consumed event: its id is current, and its trace continued."""
    attributes: dict[str, str | int] = {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.message.id": event_id or "",
        "messaging.kafka.offset": offset,
    }
    event = current_event_id.set(event_id)
    try:
        with span(f"{topic} process", traceparent, kind=SpanKind.CONSUMER, attributes=attributes):
            yield
    finally:
        current_event_id.reset(event)


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
