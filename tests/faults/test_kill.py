"""SIGKILL of each service at random moments while 1,000 offers and needs pour in.

The services run as processes on PostgreSQL against the real broker and a
real SMTP server. While a client posts 500 offers and 500 needs (retrying
while the catalog is away, as a real client would), a killer SIGKILLs
catalog, matching and notifications in turn at random moments and starts
each again at once. Afterwards:

- the active matches equal a from-scratch computation over the catalog's data;
- no event was lost or doubled: every outbox is empty; per (need, offer),
  match.found and match.invalidated alternate (distinct CloudEvents ids),
  ending in found exactly for the matches that hold; each of those was emailed;
- no match was emailed in two different emails; the same email may arrive
  twice only from a kill between the SMTP server's acceptance and the record
  (the documented window, at most one per kill of notifications).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from tests.faults.cluster import Cluster, Load, emailed_matches, match_ids
from tests.truth import match_histories

pytestmark = [
    pytest.mark.alone,
    pytest.mark.e2e,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.timeout(600),
]

SEED = 20261202
EACH = 500
KILLS_PER_SERVICE = 3


async def test_sigkill_at_random_moments_loses_nothing_and_sends_each_match_once(
    kafka_bootstrap: str,
    postgres_server: str,
    smtp_server: tuple[int, Any],
    tmp_path: Path,
) -> None:
    smtp_port, inbox = smtp_server
    cluster = Cluster(tmp_path, kafka_bootstrap, smtp_port, Cluster.databases_on(postgres_server))
    load = Load(SEED)
    rng = random.Random(SEED)
    try:
        await cluster.start_all()
        await load.register(cluster)
        sending = asyncio.ensure_future(load.send(cluster, offers=EACH, needs=EACH))
        victims = [name for name in cluster.services for _ in range(KILLS_PER_SERVICE)]
        rng.shuffle(victims)
        for name in victims:
            # Kills spread over the load and the backlog it leaves behind.
            await asyncio.sleep(rng.uniform(0.3, 2.5))
            cluster.kill(name)
            cluster.start(name)
        await sending
        await cluster.ready()

        expected, active = await cluster.settled(load.provider, load.advisor)
        assert len(expected) >= 300, "the load should make plenty of matches"
        assert active == expected, (
            f"{len(active - expected)} invented, {len(expected - active)} missed"
        )
        assert await cluster.drained_outboxes() == {"catalog": 0, "matching": 0, "notifications": 0}
        histories = await match_histories(kafka_bootstrap, f"{cluster.prefix}lotse.matches")
        for pair, history in histories.items():
            # found and invalidated alternate: a second found without an end between is a double.
            assert all(a != b for a, b in itertools.pairwise(history)), history
            assert history[0] == "found", history
            assert (history[-1] == "found") == (pair in expected), (pair, history)
        assert expected <= histories.keys(), "a match.found was lost"
        found = sum(h.count("found") for h in histories.values())

        wanted = match_ids(expected)
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            arrivals, emailed = emailed_matches(list(inbox.messages))
            if wanted <= emailed.keys() or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.5)
        assert wanted <= emailed.keys(), f"{len(wanted - emailed.keys())} matches never emailed"
        twice = {m: ids for m, ids in emailed.items() if len(ids) > 1}
        assert not twice, f"matches announced in more than one email: {twice}"
        repeated = sum(n - 1 for n in arrivals.values())
        assert repeated <= cluster.kills["notifications"], arrivals.most_common(3)
        print(
            f"\nkills {dict(cluster.kills)}; matches {len(expected)}; emails {len(arrivals)} "
            f"(repeated deliveries {repeated}); match.found {found}"
        )
    finally:
        cluster.stop_all()
