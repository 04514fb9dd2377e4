"""Every match event goes on in the trace of the change that caused it, in a span of its own,
also when one batch holds the changes of many traces."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lotse_matching.adapters import orm
from lotse_matching.bootstrap import Matching
from lotse_matching.entrypoints.subscribers import apply_consumed
from lotse_shared.envelope import decode, encode
from lotse_shared.observability import new_traceparent, trace_id_of
from services.matching.tests.api_support import need, offer, withdrawn


async def deliver(matching: Matching, events: list[tuple[Any, str | None]]) -> None:
    """The events as one batch, each consumed with its traceparent."""
    records = [encode(e, source="/lotse/catalog", traceparent=t) for e, t in events]
    await apply_consumed(matching, [decode(r.headers, r.value or b"") for r in records])


async def match_events(matching: Matching, kind: str) -> list[tuple[str, str]]:
    """(need id, traceparent) of each match event of ``kind`` in the outbox."""
    async with matching.runtime.engine.connect() as conn:
        rows = await conn.execute(select(orm.outbox).order_by(orm.outbox.c.id))
        return [
            (r.key, headers["ce_traceparent"])
            for r in rows
            if (headers := dict(r.headers))["ce_type"] == f"lotse.match.{kind}.v1"
        ]


async def test_each_need_in_a_batch_has_its_matches_published_in_its_own_trace(
    matching: Matching,
) -> None:
    await deliver(matching, [(offer(), None)])
    first, second = need(), need()
    traces = {first.need_id: new_traceparent(), second.need_id: new_traceparent()}
    await deliver(matching, [(first, traces[first.need_id]), (second, traces[second.need_id])])

    found = await match_events(matching, "found")
    assert sorted(need_id for need_id, _ in found) == sorted(traces)
    for need_id, traceparent in found:
        assert trace_id_of(traceparent) == trace_id_of(traces[need_id])
        assert traceparent != traces[need_id], "a span of its own"


async def test_an_offers_matches_and_their_end_are_published_in_the_offers_traces(
    matching: Matching,
) -> None:
    needs = [need(), need()]
    await deliver(matching, [(n, None) for n in needs])
    published, published_trace = offer(), new_traceparent()
    await deliver(matching, [(published, published_trace)])
    withdrawal_trace = new_traceparent()
    await deliver(matching, [(withdrawn(published), withdrawal_trace)])

    found, ended = (
        await match_events(matching, "found"),
        await match_events(matching, "invalidated"),
    )
    assert len(found) == len(ended) == len(needs)
    assert {trace_id_of(t) for _, t in found} == {trace_id_of(published_trace)}
    assert {trace_id_of(t) for _, t in ended} == {trace_id_of(withdrawal_trace)}
