"""What routes are handed: the catalog, the caller, the version they changed.

Every dependency is a coroutine: FastAPI would run a plain function in a
worker thread, a thread hop on every request.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from lotse_catalog.bootstrap import Catalog
from lotse_catalog.domain.errors import InvalidField, VersionRequired
from lotse_shared.auth import require_role
from lotse_shared.identity import Principal, Role

__all__ = [
    "Admin",
    "AdminOrAdvisor",
    "AnyRole",
    "CatalogDep",
    "ExpectedVersion",
    "ProviderOrAdmin",
    "etag",
]


async def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(_catalog)]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
AdminOrAdvisor = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.ADVISOR))]
ProviderOrAdmin = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PROVIDER))]
AnyRole = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PROVIDER, Role.ADVISOR))]

_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


def etag(version: int) -> str:
    return f'"{version}"'


async def _expected_version(
    if_match: Annotated[
        str | None,
        Header(description='The ETag of the version this change was made against, e.g. "3".'),
    ] = None,
) -> int:
    if if_match is None:
        raise VersionRequired(
            "send If-Match with the ETag you read, so no one else's change is overwritten"
        )
    found = _ETAG.match(if_match.strip())
    if found is None:
        raise InvalidField("If-Match", 'expected an ETag such as "3"')
    return int(found.group(1))


ExpectedVersion = Annotated[int, Depends(_expected_version)]
