"""What matching's routes are handed: matching itself and the caller, by role.

Every dependency is a coroutine: FastAPI would run a plain function in a
worker thread, a thread hop on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lotse_matching.bootstrap import Matching
from lotse_shared.auth import require_role
from lotse_shared.identity import Principal, Role

__all__ = ["Admin", "Advisor", "MatchingDep", "ProviderOrAdmin"]

Advisor = Annotated[Principal, Depends(require_role(Role.ADVISOR))]
ProviderOrAdmin = Annotated[Principal, Depends(require_role(Role.PROVIDER, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]


async def _matching(request: Request) -> Matching:
    matching: Matching = request.app.state.matching
    return matching


MatchingDep = Annotated[Matching, Depends(_matching)]
