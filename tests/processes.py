"""Lotse's services as real uvicorn processes, for the tests that run them so."""

from __future__ import annotations

import asyncio
import email
import email.policy
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from tests.support import free_port

JWT_SECRET = "end-to-end-signing-key-0123456789-0123456789"


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]
    topic_prefix: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restart(self) -> Service:
        """The same service again, on a new port, with the same settings and log folder."""
        return start_service(self.name, self.env, self.log.parent)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def start_service(
    name: str, env: dict[str, str], log_dir: Path, port: int | None = None
) -> Service:
    port = port or free_port()
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                f"lotse_{name}",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
        )
    return Service(name, port, process, log, env)


async def wait_ready(service: Service, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise AssertionError(f"{service.name} exited:\n{service.log.read_text()[-3000:]}")
            try:
                if (await client.get(f"{service.url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(
        f"{service.name} not ready in {timeout} s:\n{service.log.read_text()[-3000:]}"
    )


SCHWERTE = "05978028"


async def emails_to(
    inbox: Any, address: str, count: int, timeout: float
) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + timeout
    while True:
        found = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for raw, to in zip(inbox.messages, inbox.recipients, strict=True)
            if address in to
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found  # type: ignore[return-value]
        await asyncio.sleep(0.05)


async def read_topic(bootstrap: str, topic: str, key: str | None = None) -> list[Any]:
    """Every record (under ``key``, if given) in ``topic``, from the beginning to the current end."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        numbers = await producer.partitions_for(topic)  # waits for the topic's metadata
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[Any] = []
        for tp, end in ends.items():
            while await consumer.position(tp) < end:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                found.extend(r for r in batch.get(tp, []) if key is None or r.key == key.encode())
        return found
    finally:
        await consumer.stop()


def bearer(sub: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {JwtCodec(JWT_SECRET).issue(sub, role)}"}


ADMIN = bearer("ki-admin", Role.ADMIN)


def offer_body(title: str, category: str) -> dict[str, Any]:
    return {
        "title": {"de": title},
        "description": {"de": "Kurs"},
        "category": category,
        "location": {"municipality": SCHWERTE},
        "contact_email": "kurse@vhs.example",
    }


async def register(
    client: httpx.AsyncClient, catalog: str, run: str, address: str
) -> tuple[dict[str, str], dict[str, str]]:
    """A provider and an advisor of this run; returns their bearer headers."""
    await post(
        client,
        f"{catalog}/v1/providers",
        {"id": f"prov-{run}", "name": "VHS", "contact_email": "info@vhs.example"},
        ADMIN,
    )
    await post(
        client,
        f"{catalog}/v1/advisors",
        {"id": f"adv-{run}", "name": "Aylin Demir", "email": address, "organisation": "KI"},
        ADMIN,
    )
    return bearer(f"prov-{run}", Role.PROVIDER), bearer(f"adv-{run}", Role.ADVISOR)


async def post(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
