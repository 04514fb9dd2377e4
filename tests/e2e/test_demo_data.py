"""``make run``'s demo data goes through the review as a district's would: its providers are
new, so their offers wait until the demo admin approves them; the demo's needs still get
their match emails within seconds."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.local.run import load_demo
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from tests.processes import ADMIN, JWT_SECRET, Service, emails_to, read_topic

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

DEMO = json.loads((Path(__file__).parents[2] / "deploy/local/demo.json").read_text("utf-8"))


async def test_the_demo_offers_are_approved_by_the_demo_admin_and_their_matches_emailed(
    lotse_reviewing: dict[str, Service], smtp_server: tuple[int, Any], kafka_bootstrap: str
) -> None:
    _, inbox = smtp_server
    catalog = lotse_reviewing["catalog"]
    await asyncio.to_thread(load_demo, catalog.url, JwtCodec(JWT_SECRET))
    async with httpx.AsyncClient(base_url=catalog.url, headers=ADMIN) as client:
        published = (await client.get("/v1/offers?status=published&total=true")).json()
        queue = (await client.get("/v1/reviews")).json()
    assert published["total"] == len(DEMO["offers"])
    assert queue["total"] == 0  # nothing left waiting
    reviews = await read_topic(kafka_bootstrap, catalog.topic_prefix + "lotse.offer-reviews")
    kinds = [dict(r.headers)["ce_type"].decode() for r in reviews]
    # Every provider of the demo is new: each offer is approved (at most three per provider,
    # after which the catalog trusts it and publishes directly).
    assert kinds.count("lotse.offer-review.approved.v1") == sum(
        min(3, sum(o["provider_id"] == p["id"] for o in DEMO["offers"])) for p in DEMO["providers"]
    )
    first = DEMO["advisors"][0]["email"]
    assert await emails_to(inbox, first, 1, timeout=30), "the demo's match emails arrive"
    # README's "Try it": the demo's VHS Schwerte is trusted, so its next offer publishes at once.
    codec = JwtCodec(JWT_SECRET)
    async with httpx.AsyncClient(base_url=catalog.url) as client:
        tried = await client.post(
            "/v1/offers",
            json={"title": {"de": "Beratung zur Anerkennung"}, "description": {"de": "Dienstags"},
                  "category": "recognition", "location": {"municipality": "05978028"},
                  "contact_email": "beratung@vhs-schwerte.example"},
            headers={"Authorization": f"Bearer {codec.issue('vhs-schwerte', Role.PROVIDER)}"},
        )  # fmt: skip
    assert tried.status_code == 201, tried.text
