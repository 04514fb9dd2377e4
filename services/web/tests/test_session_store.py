"""Sessions on the server: idle and absolute limits, sign-out everywhere, and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
from sqlalchemy import select, update

from lotse_shared.database import create_engine
from lotse_shared.identity import Role
from lotse_shared.migrations import upgrade
from lotse_web.adapters import orm
from lotse_web.adapters.session_store import SessionStore, _hash
from lotse_web.login import IssuerTokens, SignedInUser

USER = SignedInUser("adv-1", Role.ADVISOR, "Aylin Demir", "KI", "header.claims.signature")
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> SessionStore:
    engine = create_engine(database_url)
    await upgrade(engine, str(resources.files("lotse_web") / "migrations"))
    return SessionStore(engine, idle=timedelta(minutes=30), absolute=timedelta(hours=8))


async def test_a_session_is_found_by_its_cookie_and_survives_a_restart(
    store: SessionStore, database_url: str
) -> None:
    cookie, created = await store.create(USER, NOW)
    await store.engine.dispose()
    restarted = SessionStore(create_engine(database_url), idle=store.idle, absolute=store.absolute)
    found = await restarted.find(cookie, NOW + timedelta(minutes=5))
    assert found is not None and found.user == USER and found.csrf_token == created.csrf_token
    assert await restarted.find("not-" + cookie, NOW) is None
    await restarted.engine.dispose()


async def test_an_idle_session_ends_after_thirty_minutes(store: SessionStore) -> None:
    cookie, _ = await store.create(USER, NOW)
    assert await store.find(cookie, NOW + timedelta(minutes=29)) is not None  # and touches it
    assert await store.find(cookie, NOW + timedelta(minutes=58)) is not None
    assert await store.find(cookie, NOW + timedelta(minutes=89)) is None
    assert await store.find(cookie, NOW + timedelta(minutes=60)) is None  # ended for good
    await store.engine.dispose()


async def test_no_session_lives_longer_than_eight_hours(store: SessionStore) -> None:
    cookie, _ = await store.create(USER, NOW)
    for minutes in range(20, 8 * 60, 20):  # busy all day
        assert await store.find(cookie, NOW + timedelta(minutes=minutes)) is not None
    assert await store.find(cookie, NOW + timedelta(hours=8, minutes=1)) is None
    await store.engine.dispose()


async def test_signing_out_ends_every_session_of_that_user_only(store: SessionStore) -> None:
    laptop, _ = await store.create(USER, NOW)
    phone, _ = await store.create(USER, NOW)
    other = SignedInUser("adv-2", Role.ADVISOR, "Jonas Becker", "MBE", "t.o.k")
    theirs, _ = await store.create(other, NOW)
    await store.end_all_of(USER.id)
    assert await store.find(laptop, NOW) is None and await store.find(phone, NOW) is None
    assert await store.find(theirs, NOW) is not None
    await store.engine.dispose()


async def test_purging_deletes_only_ended_sessions(store: SessionStore) -> None:
    await store.create(USER, NOW - timedelta(hours=1))
    fresh, _ = await store.create(USER, NOW)
    assert await store.purge(NOW) == 1
    assert await store.find(fresh, NOW) is not None
    await store.engine.dispose()


async def test_a_flash_message_is_shown_once(store: SessionStore) -> None:
    cookie, session = await store.create(USER, NOW)
    await store.flash(session, "success", "Saved.")
    again = await store.find(cookie, NOW)
    assert again is not None
    assert await store.take_flash(again) == [{"kind": "success", "text": "Saved."}]
    later = await store.find(cookie, NOW)
    assert later is not None and later.flash == []
    await store.engine.dispose()


async def test_an_issuers_tokens_stay_with_the_session_and_are_renewed_in_place(
    store: SessionStore,
) -> None:
    tokens = IssuerTokens(NOW + timedelta(minutes=5), "refresh-1", "id.token.one")
    signed_in = SignedInUser("adv-1", Role.ADVISOR, "Aylin Demir", "KI", "access.one.x", tokens)
    cookie, session = await store.create(signed_in, NOW)
    found = await store.find(cookie, NOW)
    assert found is not None and found.user == signed_in
    renewed = SignedInUser(
        "adv-1", Role.ADVISOR, "Aylin Demir", "KI", "access.two.x",
        IssuerTokens(NOW + timedelta(minutes=10), "refresh-2", "id.token.one"),
    )  # fmt: skip
    await store.renew(session, renewed)
    again = await store.find(cookie, NOW)
    assert again is not None and again.user == renewed and again.csrf_token == session.csrf_token
    await store.engine.dispose()


async def test_a_copy_of_the_table_holds_no_token_and_no_cookie(store: SessionStore) -> None:
    tokens = IssuerTokens(NOW + timedelta(minutes=5), "refresh-secret-1", "id.token.secret")
    signed_in = SignedInUser("adv-1", Role.ADVISOR, "Aylin Demir", "KI", "access.secret.x", tokens)
    cookie, _ = await store.create(signed_in, NOW)
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(orm.sessions))).mappings().all()
    stored = " ".join(str(value) for row in rows for value in row.values())
    for secret in (cookie, "refresh-secret-1", "id.token.secret", "access.secret.x"):
        assert secret not in stored
    # Another cookie value opens nothing, even with the row's hash swapped in.
    forged = "x" + cookie[1:]
    async with store.engine.begin() as conn:
        await conn.execute(update(orm.sessions).values(id_hash=_hash(forged)))
    assert await store.find(forged, NOW) is None
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(orm.sessions))).all() == []  # and it is ended
    await store.engine.dispose()


async def test_a_session_from_before_tokens_were_sealed_ends_instead_of_failing(
    store: SessionStore,
) -> None:
    cookie, _ = await store.create(USER, NOW)
    async with store.engine.begin() as conn:
        await conn.execute(update(orm.sessions).values(api_token="header.claims.signature"))
    assert await store.find(cookie, NOW) is None
    await store.engine.dispose()
