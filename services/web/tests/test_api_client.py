"""The API client: the services' answers become the web app's errors, and the token is sent."""

from __future__ import annotations

import httpx
import pytest

from lotse_web.adapters.api import (
    ApiClient,
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    ServiceUnavailable,
    Unauthorised,
)


def client(answer: httpx.Response | Exception, seen: list[httpx.Request]) -> ApiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return ApiClient("catalog", "http://catalog.test", timeout=1.0,
                     transport=httpx.MockTransport(handler))  # fmt: skip


async def test_the_callers_token_goes_along_and_json_comes_back() -> None:
    seen: list[httpx.Request] = []
    api = client(httpx.Response(200, json={"items": []}), seen)
    assert await api.get_json("/v1/needs", "the-token") == {"items": []}
    assert seen[0].headers["Authorization"] == "Bearer the-token"
    await api.close()


async def test_a_422_names_each_field_and_reason() -> None:
    problem = {"title": "Invalid request", "status": 422, "detail": "age: too large",
               "errors": [{"field": "age", "reason": "too large"},
                          {"field": "categories[0]", "reason": "unknown"}]}  # fmt: skip
    api = client(httpx.Response(422, json=problem), [])
    with pytest.raises(Invalid) as refused:
        await api.call("POST", "/v1/needs", "t", json={})
    assert refused.value.field_errors == [
        FieldError("age", "too large"),
        FieldError("categories[0]", "unknown"),
    ]
    assert refused.value.title == "Invalid request"
    await api.close()


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, Unauthorised), (403, Forbidden), (404, NotFound), (412, Conflict)],
)
async def test_each_refusal_has_its_own_error(status: int, kind: type[Exception]) -> None:
    api = client(httpx.Response(status, text="not json"), [])
    with pytest.raises(kind):
        await api.call("GET", "/v1/needs/x", "t")
    await api.close()


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(503), httpx.Response(500), httpx.ConnectError("refused"),
     httpx.ReadTimeout("slow")],
)  # fmt: skip
async def test_a_service_that_fails_or_does_not_answer_is_unavailable(
    answer: httpx.Response | Exception,
) -> None:
    api = client(answer, [])
    with pytest.raises(ServiceUnavailable) as failed:
        await api.call("GET", "/v1/needs", "t")
    assert failed.value.service == "catalog"
    await api.close()
