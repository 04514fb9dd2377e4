"""Matching's unit of work: read model, matches, inbox and outbox in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lotse_matching.adapters import orm
from lotse_matching.adapters.coverage_store import CoverageStore
from lotse_matching.adapters.match_queries import MatchQueries
from lotse_matching.adapters.matches import MatchRepository
from lotse_matching.adapters.offer_details import OfferDetailsCache
from lotse_matching.adapters.read_model import ReadModel
from lotse_matching.domain.need_index import NeedIndex
from lotse_shared.database import is_postgres
from lotse_shared.outbox import Outbox
from lotse_shared.unit_of_work import SqlUnitOfWork

__all__ = ["UnitOfWork"]

_MATCHING_LOCK_KEY = 0x4D415443


class UnitOfWork(SqlUnitOfWork):
    """One transaction of matching; ``need_index`` is the process's index of open needs."""

    read_model: ReadModel
    matches: MatchRepository
    queries: MatchQueries
    coverage: CoverageStore
    inbox = orm.inbox

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        need_index: NeedIndex,
        on_commit: Callable[[], None] = lambda: None,
        offer_details: OfferDetailsCache | None = None,
    ) -> None:
        super().__init__(sessions, outbox, on_commit)
        self.need_index = need_index
        self.offer_details = offer_details or OfferDetailsCache()
        self._index_seen = need_index.seen
        self._committed = False

    def _open(self) -> None:
        self.read_model = ReadModel(self.session, self.need_index, self.offer_details)
        self.matches = MatchRepository(self.session)
        self.queries = MatchQueries(self.session)
        self.coverage = CoverageStore(self.session)
        self._index_seen = self.need_index.seen
        self._committed = False

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed; the need index then forgets what it took from this transaction.

        The index catches up inside the transaction, so it may hold needs this
        transaction stored; rolled back, they never were. It is rebuilt from the
        store on its next use (rare: only a failed transaction that stored
        needs gets here).
        """
        if (
            not self._committed
            and self.read_model.stored_needs
            and self.need_index.seen != self._index_seen
        ):
            self.need_index.forget()
        await super().__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await super().commit()
        self._committed = True

    async def serialise_matching(self) -> None:
        """Make concurrent instances see each other's offers and needs.

        Without this, one instance storing a new offer and another storing a
        new need at the same moment could each miss the other and never pair
        them. SQLite already serialises writers (BEGIN IMMEDIATE); on
        PostgreSQL a transaction-scoped advisory lock does the same.
        """
        if is_postgres(self.session):
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MATCHING_LOCK_KEY}
            )
