"""The three services as processes on PostgreSQL, to be killed, cut off and restarted.

A :class:`Cluster` keeps each service's settings, so a killed one comes
back as it was (on a new port); :func:`post_until_accepted` is a client that,
like a real one, retries while the catalog is away.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import random
import re
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import MetaData, func, select

from lotse_shared.contracts import match_id_for
from lotse_shared.database import create_engine
from lotse_shared.identity import Role
from lotse_shared.outbox import outbox_table
from tests.processes import JWT_SECRET, Service, bearer, start_service, wait_ready
from tests.support import create_database
from tests.truth import catalog_contents, expected_matches, matches_in_database

__all__ = ["Cluster", "Load", "emailed_matches", "match_ids", "post_until_accepted"]

NAMES = ("catalog", "matching", "notifications")
PLACES = ["05978028", "05978036", "05978020", "05978040"]  # Schwerte, Unna, Kamen, Werne
KINDS = ["language_course", "counselling", "integration_course"]
MAX_PER_NEED = 3
LINK = re.compile(r"/matches/([0-9a-f-]{36})")
OUTBOX = outbox_table(MetaData())  # every service's outbox has this shape


class Cluster:
    def __init__(
        self,
        folder: Path,
        kafka: str,
        smtp_port: int,
        databases: dict[str, str],
        reads: dict[str, str] | None = None,
        **extra: str,
    ) -> None:
        """``databases`` are the services' URLs; ``reads`` the test's own, when they differ
        (the services may reach the database through a proxy the test cuts)."""
        run = uuid.uuid4().hex[:8]
        self.folder = folder
        self.kafka = kafka
        self.databases = reads or databases
        self.prefix = f"faults{run}."
        self.env = os.environ | {
            "LOTSE_ENV": "test",
            "LOTSE_JWT_SECRET": JWT_SECRET,
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "LOTSE_TOPIC_PREFIX": self.prefix,
            "CATALOG_DATABASE_URL": databases["catalog"],
            "CATALOG_REVIEW_POLICY": "off",  # offers publish at once: the pipeline under faults
            "MATCHING_DATABASE_URL": databases["matching"],
            "NOTIFICATIONS_DATABASE_URL": databases["notifications"],
            "MATCHING_GROUP_ID": f"matching-{run}",
            "NOTIFICATIONS_GROUP_ID": f"notifications-{run}",
            "MATCHING_MAX_PER_NEED": str(MAX_PER_NEED),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "MAIL_FROM": "Lotse <lotse@ki-unna.example>",
            "NOTIFICATIONS_BATCH_WINDOW_SECONDS": "0",
            "NOTIFICATIONS_MATCH_LINK_BASE": "http://lotse.test",
            **extra,
        }
        self.services: dict[str, Service] = {}
        self.kills: Counter[str] = Counter()

    @staticmethod
    def databases_on(postgres_server: str) -> dict[str, str]:
        run = uuid.uuid4().hex[:8]
        return {name: create_database(postgres_server, f"{name[0]}_{run}") for name in NAMES}

    def start(self, name: str) -> Service:
        folder = self.folder / name
        folder.mkdir(exist_ok=True)
        self.services[name] = start_service(name, self.env, folder)
        return self.services[name]

    async def start_all(self) -> None:
        for name in NAMES:
            self.start(name)
        await self.ready()

    async def ready(self) -> None:
        await asyncio.gather(*(wait_ready(s, timeout=90) for s in self.services.values()))

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown, no commit; whatever was in flight is cut off."""
        process = self.services[name].process
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.kills[name] += 1

    def url(self, name: str) -> str:
        return self.services[name].url

    def stop_all(self) -> None:
        for service in self.services.values():
            service.stop()

    async def settled(
        self, provider: dict[str, str], advisor: dict[str, str], timeout: float = 180
    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """(expected, active) matches, once they agree or ``timeout`` has passed."""
        deadline = time.monotonic() + timeout
        while True:
            async with httpx.AsyncClient(base_url=self.url("catalog"), timeout=30) as client:
                offers, needs = await catalog_contents(client, provider, advisor)
            expected = expected_matches(offers, needs, MAX_PER_NEED)
            active = await matches_in_database(self.databases["matching"])
            if active == expected or time.monotonic() > deadline:
                return expected, active
            await asyncio.sleep(1)

    async def drained_outboxes(self, timeout: float = 30) -> dict[str, int]:
        """Unpublished outbox rows per service, once all are 0 or ``timeout`` has passed."""
        deadline = time.monotonic() + timeout
        rows = await self.outbox_rows()
        while any(rows.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            rows = await self.outbox_rows()
        return rows

    async def outbox_rows(self) -> dict[str, int]:
        """Rows each service has not published yet."""
        counts = {}
        for name, url in self.databases.items():
            engine = create_engine(url)
            try:
                async with engine.connect() as conn:
                    rows = select(func.count()).select_from(OUTBOX)
                    counts[name] = int(await conn.scalar(rows) or 0)
            finally:
                await engine.dispose()
        return counts


async def post_until_accepted(
    cluster: Cluster, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """POST to the catalog, retrying while it is down or answers 5xx (as a real client would).

    A retried POST whose first attempt committed creates a second entity;
    the catalog's data, not the client's, is the truth the tests compare with.
    """
    while True:
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(
                    cluster.url("catalog") + path, json=body, headers=headers
                )
            if response.status_code == 201:
                result: dict[str, Any] = response.json()
                return result
            assert response.status_code >= 500, response.text
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)


class Load:
    """Random offers and needs for one provider and one advisor."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        run = uuid.uuid4().hex[:6]
        self.provider_id, self.advisor_id = f"prov-{run}", f"adv-{run}"
        self.address = f"advisor-{run}@ki-unna.example"
        self.provider = bearer(self.provider_id, Role.PROVIDER)
        self.advisor = bearer(self.advisor_id, Role.ADVISOR)

    async def register(self, cluster: Cluster) -> None:
        admin = bearer("ki-admin", Role.ADMIN)
        provider = {"id": self.provider_id, "name": "VHS", "contact_email": "info@vhs.example"}
        advisor = {
            "id": self.advisor_id,
            "name": "Aylin Demir",
            "email": self.address,
            "organisation": "KI",
        }
        await post_until_accepted(cluster, "/v1/providers", provider, admin)
        await post_until_accepted(cluster, "/v1/advisors", advisor, admin)

    def offer(self) -> dict[str, Any]:
        return {
            "title": {"de": f"Angebot {self.rng.randrange(10**6)}"},
            "description": {"de": "-"},
            "category": self.rng.choice(KINDS),
            "location": {"municipality": self.rng.choice(PLACES)},
            "places_total": 10,
            "places_available": self.rng.choice([0, 2, 5]),
            "waitlist": self.rng.random() < 0.2,
            "contact_email": "kurse@vhs.example",
        }

    def need(self) -> dict[str, Any]:
        return {
            "municipality": self.rng.choice(PLACES),
            "age": 30,
            "categories": self.rng.sample(KINDS, self.rng.choice([1, 2])),
            "max_travel_km": self.rng.choice([5, 15]),
        }

    async def send(self, cluster: Cluster, offers: int, needs: int, concurrency: int = 8) -> None:
        """Post ``offers`` offers and ``needs`` needs in random order, ``concurrency`` at a time."""
        work = [("/v1/offers", self.offer(), self.provider) for _ in range(offers)]
        work += [("/v1/needs", self.need(), self.advisor) for _ in range(needs)]
        self.rng.shuffle(work)
        gate = asyncio.Semaphore(concurrency)

        async def one(path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
            async with gate:
                await post_until_accepted(cluster, path, body, headers)

        await asyncio.gather(*(one(*w) for w in work))


def emailed_matches(messages: list[bytes]) -> tuple[Counter[str], dict[str, set[str]]]:
    """How often each Message-ID arrived, and the Message-IDs that announced each match."""
    arrivals: Counter[str] = Counter()
    announced: dict[str, set[str]] = {}
    for raw in messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        message_id = str(message["Message-ID"])
        arrivals[message_id] += 1
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        for match_id in LINK.findall(text):
            announced.setdefault(match_id, set()).add(message_id)
    return arrivals, announced


def match_ids(pairs: set[tuple[str, str]]) -> set[str]:
    return {match_id_for(need, offer) for need, offer in pairs}
