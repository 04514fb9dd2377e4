"""An offer is validated in full once where it enters the catalog, then trusted.

A profile hook counts each run of the offer's consistency rules, the last
step of every full validation of ``OfferDetails`` or a model built on it
(request body, stored details, event, response), wherever pydantic runs it.
What enters is the request body and each stored offer read back; the details
taken from the body, the event and the answer are assembled from those.
Before, a POST validated the offer five times and a PATCH seven; now once and twice.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import httpx

from lotse_shared.contracts import OfferDetails
from services.catalog.tests.api_support import Headers, offer_body

_RULES = OfferDetails._consistent.__code__  # type: ignore[attr-defined]


class Validations:
    count = 0


@contextmanager
def counted() -> Iterator[Validations]:
    seen = Validations()

    def profile(frame: FrameType, event: str, _: Any) -> None:
        if event == "call" and frame.f_code is _RULES:
            seen.count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(previous)


async def test_the_hook_counts_a_validation_wherever_pydantic_runs_it() -> None:
    with counted() as seen:
        OfferDetails.model_validate(offer_body())
    assert seen.count == 1


async def test_publishing_an_offer_validates_it_once(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    with counted() as seen:
        response = await api.post("/v1/offers", json=offer_body(), headers=provider)
    assert response.status_code == 201, response.text
    assert seen.count == 1  # the body


async def offer_url(api: httpx.AsyncClient, provider: Headers) -> str:
    response = await api.post("/v1/offers", json=offer_body(), headers=provider)
    return f"/v1/offers/{response.json()['id']}"


async def test_patching_an_offer_validates_the_merged_body_and_the_stored_offer_it_reads(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    url = await offer_url(api, provider)
    with counted() as seen:
        response = await api.patch(
            url, json={"places_available": 3}, headers=provider | {"If-Match": '"1"'}
        )
    assert (response.status_code, response.json()["places_available"]) == (200, 3)
    # the merged body, and the stored offer as read, once, under the lock to merge into
    assert seen.count == 2


async def test_replacing_an_offer_validates_the_body_and_the_stored_offer(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    url = await offer_url(api, provider)
    with counted() as seen:
        response = await api.put(
            url, json=offer_body(places_available=2), headers=provider | {"If-Match": '"1"'}
        )
    assert (response.status_code, response.headers["ETag"]) == (200, '"2"')
    assert seen.count == 2
