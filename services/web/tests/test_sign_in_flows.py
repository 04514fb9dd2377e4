"""Sign-ins under way: each taken once, only by the browser that started it, for ten minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from lotse_shared.database import create_engine
from lotse_shared.migrations import upgrade
from lotse_web.adapters.sign_in_flows import SignInFlows
from lotse_web.login import PendingSignIn

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
PENDING = PendingSignIn("state-1", "nonce-1", "verifier-" + "v" * 50, "/needs")


@pytest.fixture
async def flows(database_url: str) -> SignInFlows:
    engine = create_engine(database_url)
    await upgrade(engine, str(resources.files("lotse_web") / "migrations"))
    return SignInFlows(engine)


async def test_a_sign_in_is_taken_once_by_the_browser_that_started_it(flows: SignInFlows) -> None:
    await flows.keep(PENDING, "browser-a", NOW)
    assert await flows.take("state-1", "browser-a", NOW + timedelta(minutes=9)) == PENDING
    assert await flows.take("state-1", "browser-a", NOW) is None
    await flows.engine.dispose()


async def test_another_browser_spends_the_state_without_getting_it(flows: SignInFlows) -> None:
    await flows.keep(PENDING, "browser-a", NOW)
    assert await flows.take("state-1", "browser-b", NOW) is None
    assert await flows.take("state-1", None, NOW) is None
    assert await flows.take("state-1", "browser-a", NOW) is None
    await flows.engine.dispose()


async def test_a_sign_in_older_than_ten_minutes_is_refused_and_purged(flows: SignInFlows) -> None:
    await flows.keep(PENDING, "browser-a", NOW)
    assert await flows.take("state-1", "browser-a", NOW + timedelta(minutes=11)) is None
    await flows.keep(PendingSignIn("state-2", "n", "v" * 60, "/"), "browser-a", NOW)
    await flows.keep(
        PendingSignIn("state-3", "n", "v" * 60, "/"), "browser-a", NOW + timedelta(minutes=8)
    )
    await flows.keep_refused("browser-c", "id.token.c", NOW)
    assert await flows.purge(NOW + timedelta(minutes=11)) == 2
    assert await flows.take("state-3", "browser-a", NOW + timedelta(minutes=11)) is not None
    await flows.engine.dispose()


async def test_a_refused_sign_ins_id_token_is_handed_out_once(flows: SignInFlows) -> None:
    await flows.keep_refused("browser-c", "id.token.old", NOW)
    await flows.keep_refused("browser-c", "id.token.c", NOW)
    assert await flows.take_refused("browser-d", NOW) is None
    assert await flows.take_refused("browser-c", NOW) == "id.token.c"
    assert await flows.take_refused("browser-c", NOW) is None
    await flows.engine.dispose()
