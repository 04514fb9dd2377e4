"""The web app's pages over fake APIs: sign-in, sessions, CSRF, the advisor's desk."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from lotse_web.adapters import orm
from lotse_web.bootstrap import Web
from services.web.tests.conftest import csrf_of, sign_in
from services.web.tests.fakes import FakeApis, offer


async def test_sign_in_lists_the_directory_in_development(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/sign-in")
    assert page.status_code == 200
    assert "Aylin Demir" in page.text and "VHS Schwerte" in page.text
    assert "KI Koordination" in page.text


async def test_the_session_cookie_is_an_opaque_http_only_id(
    browser: httpx.AsyncClient, web: Web
) -> None:
    page = await browser.get("/sign-in")
    answer = await browser.post(
        "/sign-in", data={"account": "adv-1", "csrf_token": csrf_of(page), "next": "/needs"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/needs"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "lotse_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "." not in value  # not a JWT: the API token stays on the server
    async with web.engine.connect() as conn:
        stored = (await conn.execute(orm.sessions.select())).one()
    assert stored.id_hash != value and stored.api_token.count(".") == 0  # sealed
    session = await web.sessions.find(value)
    assert session is not None and session.user.api_token.count(".") == 2


async def test_every_answer_carries_the_security_headers(browser: httpx.AsyncClient) -> None:
    for path in ("/sign-in", "/accessibility", "/no-such-page", "/needs"):
        answer = await browser.get(path)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"


async def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    answer = await browser.post("/needs/new", data={"municipality": "05978028", "age": "30",
                                                   "categories": "language_course"})  # fmt: skip
    assert answer.status_code == 403
    wrong = await browser.post("/needs/new", data={"csrf_token": "forged", "age": "30"})
    assert wrong.status_code == 403
    assert apis.writes() == []


async def test_an_htmx_request_carries_the_token_in_a_header(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser)
    need = apis.add_need("adv-1")
    answer = await browser.post(
        f"/needs/{need['id']}/close", data={"version": "1"}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 303
    assert apis.needs[need["id"]]["status"] == "closed"


async def test_my_needs_shows_references_counts_and_what_is_new(
    browser: httpx.AsyncClient, apis: FakeApis, web: Web
) -> None:
    need = apis.add_need("adv-1", case_reference="MBE-2026-0412")
    apis.add_need("adv-2", case_reference="NOT-MINE-1")
    await sign_in(browser)  # the first visit ...
    async with web.engine.begin() as conn:  # ... was yesterday
        await conn.execute(
            update(orm.users).values(last_visit_at=datetime.now(UTC) - timedelta(days=1))
        )
    apis.add_match(need, offer("o-1", "Deutschkurs B1"))
    await sign_in(browser)
    page = await browser.get("/needs")
    assert need["reference"] in page.text and "MBE-2026-0412" in page.text
    assert "NOT-MINE-1" not in page.text
    assert "1 new since your last visit" in page.text
    await sign_in(browser)  # and the next visit counts from this one
    assert "new since your last visit" not in (await browser.get("/needs")).text


async def test_a_refused_need_shows_each_reason_at_its_field_and_keeps_what_was_typed(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser)
    apis.invalid = [
        {"field": "age", "reason": "Input should be less than or equal to 120"},
        {"field": "categories", "reason": "List should have at least 1 item after validation"},
    ]
    answer = await browser.post(
        "/needs/new",
        data={"csrf_token": csrf, "municipality": "05978028", "age": "130",
              "case_reference": "MBE-7", "languages": ["ar", "fa"]},
    )  # fmt: skip
    assert answer.status_code == 422
    text = answer.text
    assert 'href="#field-age"' in text and 'href="#field-categories"' in text
    assert 'id="error-age"' in text and 'aria-invalid="true"' in text
    assert 'value="130"' in text and 'value="MBE-7"' in text
    assert 'id="languages-fa" name="languages" value="fa"' in text.replace("\n", " ")
    assert "Must be at most 120." in text


async def test_a_registered_need_leads_to_its_page(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser)
    answer = await browser.post(
        "/needs/new",
        data={"csrf_token": csrf, "municipality": "05978028", "age": "29",
              "categories": ["recognition"], "german_level": "B1", "literacy": "latin",
              "max_travel_km": "15", "childcare_needed": "on"},
    )  # fmt: skip
    assert answer.status_code == 303
    (stored,) = apis.needs.values()
    assert stored["age"] == "29" and stored["categories"] == ["recognition"]
    assert stored["childcare_needed"] is True and stored["barrier_free_needed"] is False
    page = await browser.get(answer.headers["location"])
    assert stored["reference"] in page.text and "was registered" in page.text


async def test_the_need_page_shows_matches_best_first_with_reasons_and_ended_ones(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    need = apis.add_need("adv-1")
    apis.add_match(need, offer("o-1", "Deutschkurs A2"), score=0.5)
    apis.add_match(need, offer("o-2", "Deutschkurs B1", how_to_apply="Anruf genügt"), score=0.9)
    apis.add_match(need, offer("o-3", "Alter Kurs"), status="invalidated",
                   invalidation_reason="full", invalidated_at=datetime.now(UTC).isoformat())  # fmt: skip
    browser.cookies.delete("lotse_lang")
    await sign_in(browser)
    page = (await browser.get(f"/needs/{need['id']}")).text
    assert '<html lang="de"' in page  # German unless chosen otherwise
    assert page.index("Deutschkurs B1") < page.index("Deutschkurs A2") < page.index("Alter Kurs")
    assert "Wanted kind: language course" not in page
    assert "Gewünschte Art: Sprachkurs" in page and "Anruf genügt" in page
    assert "das Angebot ist ausgebucht" in page


async def test_another_advisors_need_is_a_404_that_reveals_nothing(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    theirs = apis.add_need("adv-2", case_reference="SECRET-42")
    await sign_in(browser)
    for path in (f"/needs/{theirs['id']}", f"/needs/{theirs['id']}/edit", "/needs/unknown"):
        answer = await browser.get(path)
        assert answer.status_code == 404
        assert "SECRET-42" not in answer.text and theirs["reference"] not in answer.text


async def test_the_live_list_answers_no_content_when_nothing_changed(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    need = apis.add_need("adv-1")
    await sign_in(browser)
    htmx = {"HX-Request": "true"}
    first = await browser.get(f"/needs/{need['id']}/matches", headers=htmx)
    seen = first.text.split("seen=", 1)[1].split('"', 1)[0]
    again = await browser.get(f"/needs/{need['id']}/matches?seen={seen}", headers=htmx)
    assert again.status_code == 204
    apis.add_match(need, offer("o-9", "Neuer Kurs"))
    changed = await browser.get(f"/needs/{need['id']}/matches?seen={seen}", headers=htmx)
    assert changed.status_code == 200 and "Neuer Kurs" in changed.text
    assert 'hx-swap-oob="innerHTML"' in changed.text


async def test_a_need_changed_elsewhere_says_so_and_shows_the_current_state(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    need = apis.add_need("adv-1", age=40)
    csrf = await sign_in(browser)
    need["age"], need["version"] = 41, 2  # someone else saved meanwhile
    answer = await browser.post(
        f"/needs/{need['id']}/edit",
        data={"csrf_token": csrf, "version": "1", "municipality": "05978028", "age": "42",
              "categories": ["language_course"]},
    )  # fmt: skip
    assert answer.status_code == 409
    assert "changed this need in the meantime" in answer.text
    assert "<dd>41</dd>" in answer.text and 'value="42"' in answer.text
    assert 'name="version" value="2"' in answer.text


async def test_a_service_that_is_down_gives_a_503_page_and_keeps_the_form(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser)
    apis.down.add("/v1/needs")
    answer = await browser.post(
        "/needs/new",
        data={"csrf_token": csrf, "municipality": "05978028", "age": "33",
              "case_reference": "KEEP-ME"},
    )  # fmt: skip
    assert answer.status_code == 503 and 'value="KEEP-ME"' in answer.text
    listing = await browser.get("/needs")
    assert listing.status_code == 503 and "try again" in listing.text


async def test_an_ended_session_sends_back_to_sign_in(browser: httpx.AsyncClient, web: Web) -> None:
    await sign_in(browser)
    async with web.engine.begin() as conn:
        await conn.execute(
            update(orm.sessions).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
        )
    answer = await browser.get("/needs")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/needs&expired=true"
    page = await browser.get(answer.headers["location"])
    assert "Your session has ended" in page.text
    poll = await browser.get("/needs/x/matches", headers={"HX-Request": "true"})
    assert poll.status_code == 401 and poll.headers["hx-redirect"].startswith("/sign-in")


async def test_signing_out_ends_the_users_sessions_everywhere(
    web: Web, browser: httpx.AsyncClient
) -> None:
    transport = browser._transport  # a second device, the same app
    async with httpx.AsyncClient(transport=transport, base_url="http://lotse.test") as phone:
        await sign_in(phone)
        csrf = await sign_in(browser)
        answer = await browser.post("/sign-out", data={"csrf_token": csrf})
        assert answer.status_code == 303
        assert (await phone.get("/needs")).status_code == 303
    async with web.engine.connect() as conn:
        assert (await conn.execute(orm.sessions.select())).all() == []


async def test_the_interface_language_is_remembered_per_user(
    web: Web, browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    need = apis.add_need("adv-1")
    apis.add_match(need, offer("o-1", "Deutschkurs"))
    csrf = await sign_in(browser)
    await browser.post("/language", data={"csrf_token": csrf, "language": "en", "next": "/"})
    transport = browser._transport  # another browser, without the cookie
    async with httpx.AsyncClient(transport=transport, base_url="http://lotse.test") as other:
        await sign_in(other)
        page = await other.get(f"/needs/{need['id']}")
    assert '<html lang="en"' in page.text
    assert "Wanted kind: language course" in page.text


async def test_a_provider_cannot_open_the_advisors_desk(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "vhs-schwerte")
    answer = await browser.get("/needs")
    assert answer.status_code == 403 and "another desk" in answer.text


async def test_erasing_asks_first_then_erases(browser: httpx.AsyncClient, apis: FakeApis) -> None:
    need = apis.add_need("adv-1")
    csrf = await sign_in(browser)
    confirm = await browser.get(f"/needs/{need['id']}/erase")
    assert "cannot be undone" in confirm.text and need["id"] in apis.needs
    answer = await browser.post(f"/needs/{need['id']}/erase", data={"csrf_token": csrf})
    assert answer.status_code == 303 and need["id"] not in apis.needs


async def test_declining_sends_the_reason(browser: httpx.AsyncClient, apis: FakeApis) -> None:
    need = apis.add_need("adv-1")
    match_id = apis.add_match(need, offer("o-1", "Kurs"))
    csrf = await sign_in(browser)
    answer = await browser.post(
        f"/matches/{match_id}/decline", data={"csrf_token": csrf, "reason": "too_far"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/needs/{need['id']}"
    assert apis.matches[match_id]["decline_reason"] == "too_far"


async def test_settings_are_saved_with_the_version_read(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser)
    page = await browser.get("/settings")
    assert 'name="version" value="1"' in page.text
    answer = await browser.post(
        "/settings",
        data={"csrf_token": csrf, "version": "1", "mode": "daily_digest", "digest_hour": "7",
              "min_score": "40", "language": "en"},
    )  # fmt: skip
    assert answer.status_code == 303
    saved = apis.advisors["adv-1"]
    assert saved["notifications"] == {"mode": "daily_digest", "digest_hour": "7", "min_score": 0.4}
    assert saved["language"] == "en"


async def test_feedback_reaches_the_coordinators(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/feedback?page=/needs")
    empty = await browser.post("/feedback", data={"csrf_token": csrf_of(page), "message": " "})
    assert empty.status_code == 422 and "describe what did not work" in empty.text
    sent = await browser.post(
        "/feedback", data={"csrf_token": csrf_of(page), "message": "Der Fokus springt."}
    )
    assert sent.status_code == 200
    await sign_in(browser, "ki-admin")
    listing = await browser.get("/admin/feedback")
    assert "Der Fokus springt." in listing.text


async def test_the_emails_page_shows_the_delivery_log(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    now = datetime.now(UTC).isoformat()
    apis.deliveries += [
        {"id": "d1", "advisor_id": "adv-1", "match_id": "m", "kind": "match_found",
         "need_reference": "UNN-ABC123", "offer_title": "Deutschkurs", "status": "sent",
         "invalidation_reason": None, "attempts": 0, "last_error": None, "created_at": now,
         "due_at": now, "sent_at": now},
        {"id": "d2", "advisor_id": "adv-1", "match_id": "m2", "kind": "match_found",
         "need_reference": None, "offer_title": None, "status": "sent",
         "invalidation_reason": None, "attempts": 0, "last_error": None, "created_at": now,
         "due_at": now, "sent_at": now},
    ]  # fmt: skip
    await sign_in(browser)
    page = await browser.get("/emails")
    assert "UNN-ABC123" in page.text and "erased" in page.text


async def test_my_needs_come_twenty_to_a_page(browser: httpx.AsyncClient, apis: FakeApis) -> None:
    for n in range(25):
        apis.add_need("adv-1", updated_at=f"2026-12-01T09:{n:02d}:00+00:00")
    await sign_in(browser)
    first = await browser.get("/needs")
    second = await browser.get("/needs?status=open&page=2")
    assert first.text.count('<th scope="row"') == 20 and second.text.count('<th scope="row"') == 5
    assert "page 2 of 2" in second.text and 'aria-current="page"><span' in second.text


async def test_an_offers_page_says_who_can_join_in_words(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-any"] = offer("o-any", "Offen für alle")
    apis.offers["o-youth"] = offer("o-youth", "Jugendkurs", age_min=16, age_max=27,
                                   german_level_min="A2", german_level_max="B1",
                                   barrier_free=True)  # fmt: skip
    await sign_in(browser)
    anyone = (await browser.get("/offers/o-any")).text
    assert "all ages, any German level" in anyone and "not stated as barrier-free" in anyone
    youth = (await browser.get("/offers/o-youth")).text
    assert "ages 16 to 27, German A2 to B1" in youth and "not stated" not in youth


async def test_an_emails_link_leads_through_sign_in_to_the_match_on_its_need(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    need = apis.add_need("adv-1")
    match_id = apis.add_match(need, offer("o-1", "Deutschkurs A1"))
    first = await browser.get(f"/matches/{match_id}")
    assert first.headers["location"] == f"/sign-in?next=/matches/{match_id}"
    await sign_in(browser, "adv-1")
    opened = await browser.get(f"/matches/{match_id}")
    assert opened.headers["location"] == f"/needs/{need['id']}#match-{match_id}"
    page = await browser.get(opened.headers["location"])
    assert f'id="match-{match_id}"' in page.text
    gone = await browser.get(f"/matches/{uuid.uuid4()}")
    assert gone.headers["location"] == "/needs"
