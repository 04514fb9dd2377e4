"""What an operator sees of the catalog: Prometheus metrics and the trace of each request."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from lotse_catalog.bootstrap import Catalog
from lotse_shared.observability import trace_id_of
from services.catalog.tests.api_support import Headers, outbox

CALLER_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_count_requests_per_route_and_show_the_outbox_backlog(
    api: httpx.AsyncClient, admin: Headers
) -> None:
    provider = {"id": "vhs-metrics", "name": "VHS", "contact_email": "info@vhs.example"}
    assert (await api.post("/v1/providers", json=provider, headers=admin)).status_code == 201
    assert (await api.get("/v1/providers/nobody", headers=admin)).status_code == 404
    assert (await api.get("/v1/providers/vhs-metrics", headers=admin)).status_code == 200
    response = await api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)

    def requests(method: str, route: str, status: str) -> float:
        labels = (("method", method), ("route", route), ("status", status))
        return found.get(("lotse_http_requests_total", labels), 0.0)

    assert requests("POST", "/v1/providers", "201") >= 1
    assert requests("GET", "/v1/providers/{provider_id}", "404") >= 1
    assert requests("GET", "/v1/providers/{provider_id}", "200") >= 1
    assert not any("nobody" in str(labels) for _, labels in found), "routes, not URLs"
    # The lifespan (and so the relay) does not run here: the event waits in the outbox.
    assert found[("lotse_outbox_backlog", ())] >= 1
    assert found[("lotse_outbox_oldest_age_seconds", ())] > 0


async def test_a_request_continues_the_callers_trace_into_the_events_it_writes(
    api: httpx.AsyncClient, admin: Headers, catalog: Catalog
) -> None:
    provider = {"id": "vhs-traced", "name": "VHS", "contact_email": "info@vhs.example"}
    response = await api.post(
        "/v1/providers", json=provider, headers=admin | {"traceparent": CALLER_TRACE}
    )
    assert response.status_code == 201
    answered = response.headers["traceparent"]
    assert trace_id_of(answered) == trace_id_of(CALLER_TRACE) and answered != CALLER_TRACE
    [row] = [r for r in await outbox(catalog) if r["key"] == "vhs-traced"]
    assert trace_id_of(row["headers"]["ce_traceparent"]) == trace_id_of(CALLER_TRACE)

    fresh = await api.get("/healthz")
    assert trace_id_of(fresh.headers["traceparent"]) not in (None, trace_id_of(CALLER_TRACE))
