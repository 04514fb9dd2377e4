"""OpenTelemetry: off without an endpoint; with one, a request and the events it causes are
spans of one trace, exported over OTLP/HTTP to a collector (here a small HTTP server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from lotse_shared.consumer import EventConsumer
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import Envelope, Tombstone, encode
from lotse_shared.http import ObservedRequests
from lotse_shared.observability import configure_tracing, span, stop_tracing
from shared.tests.test_consumer import Producer, Record

CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    # Polled every 50 ms rather than every 500, so shutting the collector down is not half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop_tracing()
        server.shutdown()
        server.server_close()


def test_without_an_endpoint_tracing_stays_off() -> None:
    assert configure_tracing("lotse-test", None) is False
    with span("work", None) as current:
        assert current is None


async def test_a_request_and_the_event_it_causes_are_exported_as_one_trace(
    collector: str,
) -> None:
    assert configure_tracing("lotse-test", collector) is True
    app = FastAPI()
    emitted: list[str] = []

    @app.post("/things/{thing_id}")
    async def make(thing_id: str) -> dict[str, str]:
        record = encode(EXAMPLES["lotse.offer.published.v1"], source="/test")
        emitted.append(dict(record.headers)["ce_traceparent"].decode())
        return {"id": thing_id}

    transport = httpx.ASGITransport(app=ObservedRequests(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/things/7", headers={"traceparent": f"00-{CALLER_TRACE_ID}-{CALLER_SPAN_ID}-01"}
        )
    assert response.status_code == 200
    [written] = emitted
    assert response.headers["traceparent"] == written

    async def handle(items: Sequence[Envelope | Tombstone]) -> None:
        pass

    event = encode(
        EXAMPLES["lotse.offer.updated.v1"],
        source="/test",
        extra_headers=[("ce_traceparent", written.encode())],
    )
    record = Record("t-traced", event.value, event.headers)
    await EventConsumer("g", Producer(), handle).process([record])  # type: ignore[arg-type, list-item]
    stop_tracing()  # flushes the batch

    spans = {}
    for path, content_type, body in Collector.received:
        assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert attributes["service.name"] == "lotse-test"
            for scope_spans in resource_spans.scope_spans:
                spans.update({s.name: s for s in scope_spans.spans})
    server, consumer = spans["POST /things/{thing_id}"], spans["t-traced process"]
    assert server.trace_id.hex() == CALLER_TRACE_ID
    assert server.parent_span_id.hex() == CALLER_SPAN_ID
    assert written.split("-")[2] == server.span_id.hex(), "events name the request's span"
    assert consumer.trace_id.hex() == CALLER_TRACE_ID
    assert consumer.parent_span_id == server.span_id
    assert server.kind == server.SPAN_KIND_SERVER and consumer.kind == consumer.SPAN_KIND_CONSUMER
