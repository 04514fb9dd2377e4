"""Erasing a need through the catalog leaves no trace of it in any service.

What may stay is what the services document: matching and notifications each
keep the bare id of an erased need, marked erased, so that a late event about
it cannot bring it back or make news of it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import SCHWERTE, Service, emails_to, offer_body, post, register

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

# (service, table, column) where an erased need's id is kept on purpose, and nothing else of it.
ERASED_MARKERS = {("matching", "needs", "id"), ("notifications", "erased_needs", "need_id")}


def traces(database: Path, *needles: str) -> set[tuple[str, str]]:
    """(table, column) of every stored value that holds one of ``needles``."""
    found: set[tuple[str, str]] = set()
    with sqlite3.connect(database) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    text = value.decode(errors="replace") if isinstance(value, bytes) else value
                    if text is not None and any(n in str(text) for n in needles):
                        found.add((table, column))
    return found


def settled(databases: dict[str, Path], need_id: str) -> bool:
    """Both subscribers took the tombstone, and every outbox has sent what it held."""
    with sqlite3.connect(databases["matching"]) as conn:
        erased = conn.execute("SELECT status FROM needs WHERE id = ?", (need_id,)).fetchall()
    with sqlite3.connect(databases["notifications"]) as conn:
        told = conn.execute("SELECT 1 FROM erased_needs WHERE need_id = ?", (need_id,)).fetchall()
    unsent = 0
    for database in databases.values():
        with sqlite3.connect(database) as conn:
            unsent += conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    return erased == [("erased",)] and bool(told) and unsent == 0


async def test_erasing_a_need_leaves_no_trace_of_it_in_any_service(
    lotse: dict[str, Service], smtp_server: tuple[int, Any], tmp_path: Path
) -> None:
    _, inbox = smtp_server
    catalog = lotse["catalog"].url
    run = uuid.uuid4().hex[:8]
    address = f"advisor-{run}@ki-unna.example"
    case_reference = f"CASE-{run}"
    async with httpx.AsyncClient() as client:
        provider, advisor = await register(client, catalog, run, address)
        await post(client, f"{catalog}/v1/offers", offer_body("Beratung", "counselling"), provider)
        need = await post(
            client,
            f"{catalog}/v1/needs",
            {
                "municipality": SCHWERTE,
                "age": 30,
                "categories": ["counselling"],
                "case_reference": case_reference,
            },
            advisor,
        )
        [email] = await emails_to(inbox, address, 1, timeout=10)
        assert need["reference"] in email["Subject"]

        erased = await client.delete(f"{catalog}/v1/needs/{need['id']}", headers=advisor)
        assert erased.status_code == 204, erased.text
        databases = {name: tmp_path / f"{name}.db" for name in lotse}
        deadline = time.monotonic() + 20
        while not settled(databases, need["id"]):
            assert time.monotonic() < deadline, "the erasure did not reach every service"
            await asyncio.sleep(0.1)

        log = await client.get(f"{lotse['notifications'].url}/v1/notifications", headers=advisor)
    assert log.status_code == 200
    [entry] = log.json()
    assert (entry["kind"], entry["status"], entry["need_reference"]) == (
        "match_found",
        "sent",
        None,
    )
    for needle in (need["id"], need["reference"], case_reference):
        assert needle not in log.text

    left = {
        (name, table, column)
        for name, database in databases.items()
        for table, column in traces(database, need["id"], need["reference"], case_reference)
    }
    assert left == ERASED_MARKERS
    for name, database in databases.items():
        assert traces(database, need["reference"], case_reference) == set(), name
