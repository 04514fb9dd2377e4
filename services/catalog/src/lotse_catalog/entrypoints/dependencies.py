"""What routes are handed: the catalog, the caller, the version they changed.

Every dependency is a coroutine: FastAPI would run a plain function in a
worker thread, a thread hop on every request.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from lotse_catalog.bootstrap import Catalog
from lotse_catalog.domain.errors import MalformedHeader, VersionRequired
from lotse_catalog.domain.model import Expected
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
    "if_match_versions",
]


async def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(_catalog)]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
AdminOrAdvisor = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.ADVISOR))]
ProviderOrAdmin = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PROVIDER))]
AnyRole = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PROVIDER, Role.ADVISOR))]

# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a list (§5.6.1) whose
# empty elements a recipient accepts.
_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')
_VERSION = re.compile(r"[1-9][0-9]{0,17}")


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_versions(header: str) -> Expected:
    """The versions an If-Match header names, compared strongly (RFC 9110 §13.1.1).

    ``*`` is any current version (None); a weak tag, or one that is no version of ours,
    never matches, so a list of only those is the empty set and the change fails (412).
    A header that is not ``*`` nor a list of entity tags is malformed (400).
    """
    if header.strip() == "*":
        return None
    versions: set[int] = set()
    named = 0
    for element in header.split(","):
        if not element.strip():
            continue
        found = _ENTITY_TAG.fullmatch(element)
        if found is None:
            raise MalformedHeader(
                "If-Match", 'expected * or entity tags in double quotes, such as "3"'
            )
        named += 1
        weak, opaque = found.groups()
        if weak is None and _VERSION.fullmatch(opaque):
            versions.add(int(opaque))
    if named == 0:
        raise MalformedHeader("If-Match", 'names no entity tag; send one such as "3", or *')
    return frozenset(versions)


async def _expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag of the version this change was made against, e.g. "3"; '
            "a list of them, or * for whatever version there is."
        ),
    ] = None,
) -> Expected:
    if if_match is None:
        raise VersionRequired(
            "send If-Match with the ETag you read, so no one else's change is overwritten"
        )
    return if_match_versions(if_match)


ExpectedVersion = Annotated[Expected, Depends(_expected_version)]
