"""Emails finished at the same moment are recorded in one transaction, each caller after its own."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from lotse_notifications.service_layer.sending import GroupRecorder


class Transactions:
    """A stand-in unit of work that remembers what each committed transaction held."""

    def __init__(self, fail: bool = False) -> None:
        self.committed: list[list[tuple[list[str], dict[str, Any]]]] = []
        self.fail = fail

    def __call__(self) -> Transactions:
        self.current: list[tuple[list[str], dict[str, Any]]] = []
        self.deliveries = self
        return self

    async def __aenter__(self) -> Transactions:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    async def set(self, ids: list[str], **values: Any) -> None:
        self.current.append((ids, values))

    async def publish(self, events: Any) -> None:
        pass

    async def commit(self) -> None:
        if self.fail:
            raise ConnectionError("database away")
        self.committed.append(self.current)


def group(name: str) -> list[Any]:
    return [SimpleNamespace(id=name)]


async def test_concurrent_records_share_a_transaction_and_each_waits_for_its_own() -> None:
    transactions = Transactions()
    recorder = GroupRecorder(transactions)  # type: ignore[arg-type]
    await asyncio.gather(*(recorder.record(group(f"d{n}"), [], status="sent") for n in range(4)))
    assert len(transactions.committed) == 1
    [(ids, values)] = transactions.committed[0]  # one statement for the four alike outcomes
    assert sorted(ids) == ["d0", "d1", "d2", "d3"]
    assert values == {"claimed_until": None, "status": "sent"}

    await recorder.record(group("d4"), [], status="sent")  # alone: a transaction of its own
    assert [[ids for ids, _ in t] for t in transactions.committed[1:]] == [[["d4"]]]


async def test_a_failed_transaction_fails_every_caller_in_it() -> None:
    recorder = GroupRecorder(Transactions(fail=True))  # type: ignore[arg-type]
    results = await asyncio.gather(
        *(recorder.record(group(f"d{n}"), [], status="sent") for n in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    with pytest.raises(ConnectionError):
        await recorder.record(group("again"), [], status="sent")
