"""Prometheus metrics every service exposes on ``/metrics``.

Counters and histograms are updated where things happen (HTTP middleware,
the consumer, the outbox relay, the mailer); the gauges that describe state
(outbox backlog, its oldest row) are read from the database when scraped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

__all__ = [
    "CONSUMER_LAG",
    "EMAILS",
    "EVENTS_CONSUMED",
    "EVENTS_PRODUCED",
    "HANDLER_SECONDS",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "OUTBOX_BACKLOG",
    "OUTBOX_OLDEST_SECONDS",
    "metrics_router",
]

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "lotse_http_requests", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "lotse_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=_FAST,
)
EVENTS_CONSUMED = Counter(
    "lotse_events_consumed",
    "Kafka records consumed, by outcome: processed, dead_lettered, tombstone.",
    ["topic", "type", "outcome"],
)
EVENTS_PRODUCED = Counter(
    "lotse_events_produced", "Events the outbox relay published (acknowledged).", ["topic", "type"]
)
HANDLER_SECONDS = Histogram(
    "lotse_handler_duration_seconds",
    "Time to handle one consumed record, retries included.",
    ["topic"],
    buckets=_FAST,
)
CONSUMER_LAG = Gauge(
    "lotse_consumer_lag",
    "Records behind the partition's end after the last one handled.",
    ["topic", "partition"],
)
OUTBOX_BACKLOG = Gauge("lotse_outbox_backlog", "Outbox rows not yet published.")
OUTBOX_OLDEST_SECONDS = Gauge(
    "lotse_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row (0 when empty)."
)
EMAILS = Counter(
    "lotse_emails", "Emails by outcome: sent, failed (for good), retried.", ["outcome"]
)


def metrics_router(refresh: Callable[[], Awaitable[None]]) -> APIRouter:
    """``/metrics`` in Prometheus' text format; ``refresh`` updates the state gauges first."""
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", summary="Prometheus metrics.", include_in_schema=False)
    async def metrics() -> Response:
        await refresh()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
