"""Load and store offers' reviews, with their revisions and the decisions on them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Select, func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from lotse_catalog.adapters import orm
from lotse_catalog.domain.review import OfferReview, ReviewState
from lotse_catalog.domain.revision import Decision, FieldChange, Revision, RevisionState, Verdict
from lotse_shared.contracts import OfferDetails
from lotse_shared.database import as_utc as aware
from lotse_shared.database import chunks

__all__ = ["ReviewRepository"]


def _details(details: OfferDetails | None) -> Any:
    return details.model_dump(mode="json") if details is not None else None


class ReviewRepository:
    """An offer's review is one aggregate: its row, its revisions and its decisions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, offer_id: str, *, for_update: bool = False) -> OfferReview | None:
        """Load one review; ``for_update`` locks its row until the transaction ends."""
        query = select(orm.offer_reviews).where(orm.offer_reviews.c.offer_id == offer_id)
        found = await self._load(query.with_for_update() if for_update else query)
        return found[0] if found else None

    async def add(self, review: OfferReview) -> None:
        await self.session.execute(insert(orm.offer_reviews).values(**self._row(review)))
        await self._store_parts(review, set(), set())

    async def save(self, review: OfferReview) -> None:
        r = orm.offer_reviews
        await self.session.execute(
            update(r).where(r.c.offer_id == review.offer_id).values(**self._row(review))
        )
        v, d = orm.offer_revisions, orm.offer_decisions
        stored = set(
            await self.session.scalars(select(v.c.number).where(v.c.offer_id == review.offer_id))
        )
        decided = set(
            await self.session.scalars(select(d.c.id).where(d.c.offer_id == review.offer_id))
        )
        for revision in review.revisions:
            if revision.number in stored:
                await self.session.execute(
                    update(v)
                    .where(v.c.offer_id == review.offer_id, v.c.number == revision.number)
                    .values(state=revision.state.value, details=_details(revision.details))
                )
        await self._store_parts(review, stored, decided)

    async def page(
        self,
        *,
        provider_id: str | None = None,
        state: ReviewState | None = None,
        limit: int,
        offset: int = 0,
    ) -> tuple[Sequence[OfferReview], int]:
        """Reviews of one provider or all, in one state or any, and how many there are.

        Submitted ones come longest waiting first (the review queue); others latest change
        first.
        """
        r = orm.offer_reviews
        wanted: Any = true()
        if provider_id is not None:
            wanted = wanted & (r.c.provider_id == provider_id)
        if state is not None:
            wanted = wanted & (r.c.state == state.value)
        order = (
            (r.c.waiting_since, r.c.offer_id)
            if state is ReviewState.SUBMITTED
            else (r.c.updated_at.desc(), r.c.offer_id)
        )
        items = await self._load(
            select(r).where(wanted).order_by(*order).offset(offset).limit(limit)
        )
        total = await self.session.scalar(select(func.count()).select_from(r).where(wanted))
        return items, int(total or 0)

    async def open_of_provider(self, provider_id: str) -> Sequence[OfferReview]:
        """A provider's reviews still open (draft, submitted, changes requested), locked."""
        r = orm.offer_reviews
        open_states = [
            s.value
            for s in (ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.CHANGES_REQUESTED)
        ]
        return await self._load(
            select(r)
            .where(r.c.provider_id == provider_id, r.c.state.in_(open_states))
            .order_by(r.c.offer_id)
            .with_for_update()
        )

    async def approved_offers(self, provider_id: str) -> int:
        """How many of the provider's offers count towards trusting it: those an admin approved
        at least once, and those published without any revision sent for review, e.g. before
        the district turned the review on (it keeps trusting the providers it knows)."""
        d, r, o, v = orm.offer_decisions, orm.offer_reviews, orm.offers, orm.offer_revisions
        approved = (
            select(func.count(func.distinct(d.c.offer_id)))
            .select_from(d.join(r, r.c.offer_id == d.c.offer_id))
            .where(r.c.provider_id == provider_id, d.c.verdict == Verdict.APPROVED.value)
        )
        unreviewed = select(func.count()).where(
            o.c.provider_id == provider_id,
            ~select(v.c.offer_id).where(v.c.offer_id == o.c.id).exists(),
        )
        found = await self.session.scalar(approved)
        before = await self.session.scalar(unreviewed)
        return int(found or 0) + int(before or 0)

    async def _load(self, query: Select[Any]) -> list[OfferReview]:
        rows = (await self.session.execute(query)).all()
        ids = [row.offer_id for row in rows]
        revisions: dict[str, list[Revision]] = defaultdict(list)
        decisions: dict[str, list[Decision]] = defaultdict(list)
        v, d = orm.offer_revisions, orm.offer_decisions
        for part in chunks(ids):
            for row in await self.session.execute(
                select(v).where(v.c.offer_id.in_(part)).order_by(v.c.offer_id, v.c.number)
            ):
                revisions[row.offer_id].append(_revision(row))
            for row in await self.session.execute(
                select(d).where(d.c.offer_id.in_(part)).order_by(d.c.offer_id, d.c.decided_at)
            ):
                decisions[row.offer_id].append(_decision(row))
        return [
            OfferReview(
                offer_id=row.offer_id,
                provider_id=row.provider_id,
                state=ReviewState(row.state),
                draft=OfferDetails.model_validate(row.draft) if row.draft is not None else None,
                draft_authors=frozenset(row.draft_authors),
                revisions=revisions[row.offer_id],
                decisions=decisions[row.offer_id],
                version=row.version,
                updated_at=aware(row.updated_at),
            )
            for row in rows
        ]

    async def _store_parts(self, review: OfferReview, stored: set[int], decided: set[str]) -> None:
        new_revisions = [
            {
                "offer_id": review.offer_id,
                "number": r.number,
                "state": r.state.value,
                "details": _details(r.details),
                "changes": [asdict(c) for c in r.changes],
                "authors": sorted(r.authors),
                "submitted_by": r.submitted_by,
                "submitted_at": r.submitted_at,
                "base_version": r.base_version,
            }
            for r in review.revisions
            if r.number not in stored
        ]
        new_decisions = [
            {
                "id": d.id,
                "offer_id": review.offer_id,
                "revision": d.revision,
                "verdict": d.verdict.value,
                "reviewer": d.reviewer,
                "decided_at": d.decided_at,
                "comment": d.comment,
                "report_id": d.report_id,
            }
            for d in review.decisions
            if d.id not in decided
        ]
        if new_revisions:
            await self.session.execute(insert(orm.offer_revisions), new_revisions)
        if new_decisions:
            await self.session.execute(insert(orm.offer_decisions), new_decisions)

    @staticmethod
    def _row(review: OfferReview) -> dict[str, Any]:
        pending = review.pending
        return {
            "offer_id": review.offer_id,
            "provider_id": review.provider_id,
            "state": review.state.value,
            "draft": _details(review.draft),
            "draft_authors": sorted(review.draft_authors),
            "waiting_since": pending.submitted_at if pending else None,
            "version": review.version,
            "updated_at": review.updated_at,
        }


def _revision(row: Any) -> Revision:
    return Revision(
        number=row.number,
        details=OfferDetails.model_validate(row.details),
        changes=tuple(FieldChange(**c) for c in row.changes),
        authors=frozenset(row.authors),
        submitted_by=row.submitted_by,
        submitted_at=aware(row.submitted_at),
        base_version=row.base_version,
        state=RevisionState(row.state),
    )


def _decision(row: Any) -> Decision:
    return Decision(
        id=row.id,
        revision=row.revision,
        verdict=Verdict(row.verdict),
        reviewer=row.reviewer,
        decided_at=aware(row.decided_at),
        comment=row.comment,
        report_id=row.report_id,
    )
