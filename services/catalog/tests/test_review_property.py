"""Under CATALOG_REVIEW_POLICY=all, whatever providers and admins do, in any order:

- nothing reaches ``lotse.offers`` (the outbox) that an admin other than its author approved;
- the published state is always the last approved revision (or withdrawn).

Random sequences of new offers, edits, free places, submissions, decisions (also on old
revisions, by the wrong people), withdrawals and reports turned into change requests go
through the real use cases on a real database; the checks read the outbox and the offers
table. Free places never wait for review, so they are left out of the comparison.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.domain.errors import CatalogError
from lotse_catalog.domain.model import Advisor, Offer, Provider
from lotse_catalog.domain.report import ReportStatus
from lotse_catalog.domain.review import ReviewState
from lotse_catalog.domain.revision import Verdict, author_of
from lotse_catalog.service_layer import offers, reports, reviews
from lotse_shared.contracts import AdvisorDetails, OfferDetails, ProviderDetails, ReportReason
from lotse_shared.identity import Principal, Role
from services.catalog.tests.api_support import SECRET, offer_body

T = TypeVar("T")

ACTORS = {
    "vhs": Principal("vhs", Role.PROVIDER),
    "awo": Principal("awo", Role.PROVIDER),
    "ki-1": Principal("ki-1", Role.ADMIN),
    "ki-2": Principal("ki-2", Role.ADMIN),
    "ki-3": Principal("ki-3", Role.ADMIN),
}
ADVISOR = Principal("adv-1", Role.ADVISOR)
EXAMPLES, STEPS = 50, 50
MAX_OFFERS = 3  # few offers, so that each goes through many revisions and decisions


def _content(details: dict[str, Any]) -> dict[str, Any]:
    """What review guards: everything of an offer but its free places."""
    return {k: v for k, v in details.items() if k in OfferDetails.model_fields} | {
        "places_available": None
    }


@dataclass(frozen=True)
class Approval:
    title: str
    content: dict[str, Any]
    reviewer: str


class ReviewMachine(RuleBasedStateMachine):
    examples: ClassVar[int] = 0
    checks: ClassVar[int] = 0  # the invariants are checked at the start and after every step
    calls: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        type(self).examples += 1
        self.loop = asyncio.new_event_loop()
        self.folder = tempfile.mkdtemp(prefix="lotse-review-")
        self.catalog: Catalog = bootstrap(
            CatalogSettings(
                CATALOG_DATABASE_URL=f"sqlite+aiosqlite:///{self.folder}/catalog.db",
                LOTSE_JWT_SECRET=SECRET,
                LOTSE_ENV="test",
                CATALOG_REVIEW_POLICY="all",
            )
        )
        self.run(self._set_up())
        self.offer_ids: list[str] = []
        self.titles = 0
        self.author: dict[str, str] = {}  # title → who sent it (titles are never reused)
        self.submitters: dict[str, set[str]] = defaultdict(set)
        self.approvals: dict[str, list[Approval]] = defaultdict(list)
        self.seen = 0  # the last outbox row checked
        self.withdrawn = False

    async def _set_up(self) -> None:
        async with self.catalog.runtime.engine.begin() as conn:
            await conn.run_sync(orm.metadata.create_all)
        async with self.catalog.uow() as uow:
            for provider_id in ("vhs", "awo"):
                details = ProviderDetails(
                    name=provider_id, contact_email=f"info@{provider_id}.example"
                )
                await uow.providers.add(Provider(id=provider_id, details=details))
            advisor = AdvisorDetails(name="A", email="a@ki.example", organisation="KI")
            await uow.advisors.add(Advisor(id=ADVISOR.sub, details=advisor))
            await uow.commit()

    def teardown(self) -> None:
        self.run(self.catalog.runtime.engine.dispose())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, job: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(job)

    def attempt(self, job: Coroutine[Any, Any, T]) -> T | None:
        """Run a use case; a refusal (the rules at work) changes nothing and is fine."""
        type(self).calls += 1
        try:
            return self.run(job)
        except CatalogError:
            return None

    def details(self, places_total: int | None, free: int) -> OfferDetails:
        self.titles += 1
        body = offer_body(title={"de": f"Kurs {self.titles}"}, places_total=places_total)
        body["places_available"] = min(free, places_total) if places_total is not None else free
        return OfferDetails.model_validate(body)

    def pick(self, index: int, *states: str) -> str:
        """An offer; with ``states`` one whose review (or, for "published", the offer) is in
        one of them when there is such an offer, so decisions meet what waits for them."""
        candidates = self.offer_ids
        if states:
            found = self.run(self._where(states))
            candidates = [o for o in self.offer_ids if o in found] or candidates
        return candidates[index % len(candidates)]

    async def _where(self, states: tuple[str, ...]) -> set[str]:
        r, o = orm.offer_reviews.c, orm.offers.c
        async with self.catalog.runtime.engine.connect() as conn:
            reviewed = await conn.scalars(select(r.offer_id).where(r.state.in_(states)))
            published = await conn.scalars(select(o.id).where(o.status.in_(states)))
            return set(reviewed) | set(published)

    async def _state(self, offer_id: str) -> tuple[int, Any, Any]:
        async with self.catalog.uow() as uow:
            offer = await uow.offers.get(offer_id)
            review = await uow.reviews.get(offer_id)
        version = offer.version if offer else review.version if review else 1
        return version, offer, review

    # -- what people do ------------------------------------------------------------------

    @precondition(lambda self: len(self.offer_ids) < MAX_OFFERS)
    @rule(
        actor=st.sampled_from(["vhs", "awo", "ki-1", "ki-2"]),
        total=st.sampled_from([None, 5, 20]),
        free=st.integers(0, 20),
    )
    def create(self, actor: str, total: int | None, free: int) -> None:
        principal = ACTORS[actor]
        details = self.details(total, free)
        owner = None if principal.role is Role.PROVIDER else "vhs"
        made = self.attempt(
            offers.publish_offer(
                self.catalog.uow(), self.catalog.region, principal, details, owner, self.catalog.settings.review
            )
        )  # fmt: skip
        assert not isinstance(made, Offer), "under review a new offer is never published"
        if made is not None:
            self.offer_ids.append(made.review.offer_id)
            self.author[details.title["de"]] = author_of(principal)

    @precondition(lambda self: self.offer_ids)
    @rule(
        index=st.integers(0, 50),
        actor=st.sampled_from(list(ACTORS)),
        total=st.sampled_from([None, 5, 20]),
        free=st.integers(0, 20),
    )
    def edit(self, index: int, actor: str, total: int | None, free: int) -> None:
        offer_id, principal = self.pick(index), ACTORS[actor]
        version, _, _ = self.run(self._state(offer_id))
        details = self.details(total, free)
        done = self.attempt(
            offers.revise_offer(
                self.catalog.uow(), self.catalog.region, principal, offer_id, details, version, self.catalog.settings.review
            )
        )  # fmt: skip
        if done is not None:
            self.author[details.title["de"]] = author_of(principal)

    @precondition(lambda self: self.offer_ids)
    @rule(
        index=st.integers(0, 50),
        actor=st.sampled_from(["vhs", "awo", "ki-1"]),
        total=st.sampled_from([None, 5, 20]),
        free=st.integers(0, 20),
    )
    def change_and_submit(self, index: int, actor: str, total: int | None, free: int) -> None:
        """What a provider mostly does: change an offer, then submit the change."""
        self.edit(index, actor, total, free)
        self.submit(index, actor)

    @precondition(lambda self: self.offer_ids)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(["vhs", "ki-1"]), free=st.integers(0, 20))
    def free_places(self, index: int, actor: str, free: int) -> None:
        offer_id, principal = self.pick(index), ACTORS[actor]
        version, _, _ = self.run(self._state(offer_id))
        current = self.attempt(offers.offer_to_change(self.catalog.uow(), principal, offer_id))
        if current is None:
            return
        total = current.places_total
        free = min(free, total) if total is not None else free
        places = OfferDetails.model_validate(current.model_dump() | {"places_available": free})
        self.attempt(
            offers.revise_offer(
                self.catalog.uow(), self.catalog.region, principal, offer_id, places, version, self.catalog.settings.review
            )
        )  # fmt: skip

    @precondition(lambda self: self.offer_ids)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(list(ACTORS)))
    def submit(self, index: int, actor: str) -> None:
        offer_id, principal = self.pick(index, "draft", "changes_requested"), ACTORS[actor]
        _, _, review = self.run(self._state(offer_id))
        if review is None:
            return
        done = self.attempt(
            reviews.submit_offer(self.catalog.uow(), self.catalog.settings.review, principal, offer_id, review.version)
        )  # fmt: skip
        if done is not None and done.review.state is ReviewState.SUBMITTED:
            self.submitters[done.review.revisions[-1].details.title["de"]].add(author_of(principal))

    @precondition(lambda self: self.offer_ids)
    @rule(
        index=st.integers(0, 50),
        actor=st.sampled_from(["ki-1", "ki-2", "ki-3", "vhs"]),
        verdict=st.sampled_from(
            [Verdict.APPROVED, Verdict.APPROVED, Verdict.CHANGES_REQUESTED, Verdict.REJECTED]
        ),
        back=st.sampled_from([0, 0, 0, 1, 2]),
    )
    def decide(self, index: int, actor: str, verdict: Verdict, back: int) -> None:
        offer_id, principal = self.pick(index, "submitted"), ACTORS[actor]
        _, _, review = self.run(self._state(offer_id))
        number = max(1, len(review.revisions) - back) if review else 1
        comment = None if verdict is Verdict.APPROVED else "Bitte prüfen."
        done = self.attempt(
            reviews.decide_offer(self.catalog.uow(), principal, offer_id, number, verdict, comment)
        )
        if done is not None and verdict is Verdict.APPROVED:
            approved = done.review.revisions[number - 1].details
            self.approvals[offer_id].append(
                Approval(approved.title["de"], _content(approved.model_dump(mode="json")), author_of(principal))
            )  # fmt: skip

    @precondition(lambda self: self.offer_ids)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(["ki-1", "ki-2", "ki-3"]))
    def approve(self, index: int, actor: str) -> None:
        """The decision that publishes, more often than the others."""
        self.decide(index, actor, Verdict.APPROVED, back=0)

    @precondition(lambda self: self.offer_ids and not self.withdrawn)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(["vhs", "awo", "ki-3"]))
    def withdraw(self, index: int, actor: str) -> None:
        """Once per run at most: a withdrawn offer takes no more steps."""
        offer_id = self.pick(index)
        version, _, _ = self.run(self._state(offer_id))
        done = self.attempt(
            offers.withdraw_offer(self.catalog.uow(), ACTORS[actor], offer_id, version)
        )
        self.withdrawn = done is not None

    @precondition(lambda self: self.offer_ids)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(["ki-1", "ki-2", "vhs"]))
    def report_turned_into_change_request(self, index: int, actor: str) -> None:
        offer_id = self.pick(index, "published")
        report = self.attempt(
            reports.file_report(self.catalog.uow(), ADVISOR, offer_id, ReportReason.WRONG_DATES, None)
        )  # fmt: skip
        if report is not None:
            self.attempt(
                reports.decide_report(
                    self.catalog.uow(), ACTORS[actor], report.id, ReportStatus.CHANGES_REQUESTED, "Bitte prüfen."
                )
            )  # fmt: skip

    # -- what must hold after every step -------------------------------------------------

    @invariant()
    def only_what_another_admin_approved_reaches_lotse_offers(self) -> None:
        type(self).checks += 1
        for event in self.run(self._new_offer_events()):
            title = event["title"]["de"]
            authors = {self.author[title]} | self.submitters[title]
            approvals = [
                a for a in self.approvals[event["offer_id"]] if a.content == _content(event)
            ]
            assert approvals, f"{title!r} reached lotse.offers but was never approved"
            assert any(a.reviewer.startswith("admin:") and a.reviewer not in authors for a in approvals), (
                f"{title!r} was approved only by its authors {authors}"
            )  # fmt: skip

    @invariant()
    def the_published_state_is_the_last_approved_revision_or_withdrawn(self) -> None:
        stored = self.run(self._offers())
        for offer_id in self.offer_ids:
            approvals = self.approvals[offer_id]
            if offer_id not in stored:
                assert not approvals, "an approved offer is published"
                continue
            status, details = stored[offer_id]
            assert approvals, "nothing is published without an approval"
            if status == "published":
                assert _content(details) == approvals[-1].content

    async def _new_offer_events(self) -> list[dict[str, Any]]:
        """The events on lotse.offers queued since the last look (earlier ones were checked)."""
        o = orm.outbox.c
        async with self.catalog.runtime.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(o.id, o.value).where(o.topic == "lotse.offers", o.id > self.seen).order_by(o.id)
                )
            ).all()  # fmt: skip
        if rows:
            self.seen = rows[-1].id
        return [json.loads(r.value) for r in rows]

    async def _offers(self) -> dict[str, tuple[str, dict[str, Any]]]:
        o = orm.offers.c
        async with self.catalog.runtime.engine.connect() as conn:
            rows = await conn.execute(select(o.id, o.status, o.details))
            return {r.id: (r.status, r.details) for r in rows}


def test_under_review_only_what_another_admin_approved_is_ever_published() -> None:
    ReviewMachine.examples = ReviewMachine.checks = ReviewMachine.calls = 0
    run_state_machine_as_test(
        ReviewMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    examples, steps = ReviewMachine.examples, ReviewMachine.checks - ReviewMachine.examples
    print(
        f"\nreview property: {examples} examples, {steps} steps, "
        f"{ReviewMachine.calls} use-case calls"
    )
    assert examples >= EXAMPLES
