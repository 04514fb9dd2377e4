"""CloudEvents 1.0 in Kafka binary content mode.

The Kafka value is the event's JSON data; the attributes travel as ``ce_*``
headers; the key is the aggregate id. A message with no value is a tombstone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from lotse_shared.contracts import EVENT_TYPES, Event
from lotse_shared.errors import InvalidMessage
from lotse_shared.observability import current_traceparent

__all__ = ["Envelope", "KafkaRecord", "Tombstone", "decode", "encode", "header_map", "tombstone"]

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class KafkaRecord:
    """One message as it goes to Kafka."""

    topic: str
    key: bytes
    value: bytes | None
    headers: Headers


@dataclass(frozen=True)
class Envelope:
    """A received event: its CloudEvents attributes and its validated payload."""

    id: str
    type: str
    source: str
    time: datetime
    subject: str | None
    event: Event
    traceparent: str | None = None  # the CloudEvents distributed-tracing extension


@dataclass(frozen=True)
class Tombstone:
    """A tombstone, received or to publish: ``key`` is erased from the compacted ``topic``."""

    topic: str
    key: str


def encode(
    event: Event,
    *,
    source: str,
    traceparent: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
    extra_headers: Sequence[tuple[str, bytes]] = (),
) -> KafkaRecord:
    """Wrap ``event`` as a binary-mode CloudEvent for its topic, in ``traceparent``'s trace.

    Without ``traceparent``, the current one: the span of the request or the
    consumed event being handled, if any.
    """
    key = event.key()
    headers: Headers = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", (event_id or str(uuid.uuid4())).encode()),
        ("ce_source", source.encode()),
        ("ce_type", event.event_type.encode()),
        ("ce_time", (time or datetime.now(UTC)).isoformat().encode()),
        ("ce_subject", key.encode()),
        ("content-type", CONTENT_TYPE.encode()),
        *extra_headers,
    ]
    traceparent = traceparent or current_traceparent.get()
    if traceparent is not None:  # CloudEvents distributed tracing extension
        headers.append(("ce_traceparent", traceparent.encode()))
    return KafkaRecord(
        topic=event.topic.name,
        key=key.encode(),
        value=event.model_dump_json().encode(),
        headers=headers,
    )


def tombstone(topic: str, key: str) -> KafkaRecord:
    """A message with no value: compaction erases everything kept under ``key``."""
    return KafkaRecord(topic=topic, key=key.encode(), value=None, headers=[])


def header_map(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    return {name: value.decode("utf-8", errors="replace") for name, value in headers}


def decode(headers: Sequence[tuple[str, bytes]], value: bytes) -> Envelope:
    """Validate a binary-mode CloudEvent and parse its payload.

    Raises :class:`InvalidMessage` when an attribute is missing, the type is
    unknown or the data does not validate: such a message will never succeed.
    """
    attrs = header_map(headers)
    missing = [f"ce_{a}" for a in ("id", "source", "type", "specversion") if f"ce_{a}" not in attrs]
    if missing:
        raise InvalidMessage(f"missing CloudEvents headers: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPECVERSION:
        raise InvalidMessage(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
    model = EVENT_TYPES.get(attrs["ce_type"])
    if model is None:
        raise InvalidMessage(f"unknown event type {attrs['ce_type']!r}")
    try:
        event = model.model_validate_json(value)
    except ValidationError as exc:
        raise InvalidMessage(f"invalid {attrs['ce_type']} data: {_summary(exc)}") from exc
    return Envelope(
        id=attrs["ce_id"],
        type=attrs["ce_type"],
        source=attrs["ce_source"],
        time=_parse_time(attrs.get("ce_time")),
        subject=attrs.get("ce_subject"),
        event=event,
        traceparent=attrs.get("ce_traceparent"),
    )


def _parse_time(raw: str | None) -> datetime:
    if raw is None:
        return datetime.now(UTC)
    try:
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidMessage(f"ce_time is not an RFC 3339 timestamp: {raw!r}") from exc


def _summary(exc: ValidationError) -> str:
    parts: list[Any] = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
