"""Matching's HTTP answers are documented models, and its errors map to one status each."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lotse_matching.bootstrap import Matching
from lotse_matching.entrypoints.api import create_app
from lotse_matching.service_layer import errors
from lotse_shared.contracts import match_id_for
from services.matching.tests.api_support import Headers, deliver, need, offer, withdrawn

_ANSWERS = {
    ("get", "/v1/needs/{need_id}/matches"),
    ("get", "/v1/matches/{match_id}"),
    ("get", "/v1/offers/{offer_id}/matches"),
    ("get", "/v1/offer-match-counts"),
    ("get", "/v1/match-counts"),
    ("post", "/v1/matches/{match_id}/decision"),
}


def _refs(schema: dict[str, Any]) -> list[str]:
    """The component schemas an answer is made of."""
    if "$ref" in schema:
        return [schema["$ref"]]
    if schema.get("type") == "array":
        return _refs(schema["items"])
    return [ref for part in schema.get("anyOf", []) for ref in _refs(part)]


async def test_every_answer_about_matches_is_a_documented_model(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    components = document["components"]["schemas"]
    for method, path in _ANSWERS:
        answer = document["paths"][path][method]["responses"]["200"]
        refs = _refs(answer["content"]["application/json"]["schema"])
        assert refs, f"{method} {path} answers with an undocumented shape"
        for ref in refs:
            model = components[ref.rsplit("/", 1)[-1]]
            assert model["properties"] and model.get("additionalProperties") is not True
            assert all(p.get("description") for p in model["properties"].values()), ref


@pytest.mark.parametrize(
    ("error", "status"),
    [(errors.NotFound, 404), (errors.EndedMatch, 404), (errors.NotAllowed, 403)],
)
async def test_each_matching_error_is_mapped_to_its_status_as_a_problem(
    matching: Matching, error: type[errors.MatchingError], status: int
) -> None:
    handler = create_app(matching).exception_handlers[errors.MatchingError]
    response = await handler(None, error("what went wrong"))  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.media_type == "application/problem+json"
    assert json.loads(bytes(response.body))["detail"] == "what went wrong"


async def test_a_decision_on_an_ended_match_is_not_found_and_changes_nothing(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    n, o = need(), offer()
    await deliver(matching, n)
    await deliver(matching, o)
    await deliver(matching, withdrawn(o))
    advisor = token("advisor", "adv-1")
    url = f"/v1/matches/{match_id_for(n.need_id, o.offer_id)}"
    response = await api.post(f"{url}/decision", json={"decision": "accepted"}, headers=advisor)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "no longer holds" in response.json()["detail"]
    match = (await api.get(url, headers=advisor)).json()
    assert (match["status"], match["invalidation_reason"], match["decision"]) == (
        "invalidated",
        "withdrawn",
        None,
    )


async def test_an_active_match_answers_without_the_fields_of_an_ended_one(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    n, o = need(), offer()
    await deliver(matching, n)
    await deliver(matching, o)
    advisor = token("advisor", "adv-1")
    [active] = (await api.get(f"/v1/needs/{n.need_id}/matches", headers=advisor)).json()
    assert set(active) == {
        "id",
        "need_id",
        "offer_id",
        "score",
        "reasons",
        "eligibility",
        "found_at",
        "decision",
        "decline_reason",
        "decided_at",
    }
    counts = await api.get(f"/v1/offers/{o.offer_id}/matches", headers=token("provider", "vhs"))
    assert counts.json() == {"active": 1, "accepted": 0, "declined": 0}
