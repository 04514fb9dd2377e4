"""The public offer finder under /angebote: no sign-in, no cookies, no tracking.

Every page's address names its language variant (``/angebote/ar/...``), so a
page can be shared and a handout's QR code opens it in the same language; the
menu links to the same page in every other variant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import segno
from babel import negotiate_locale
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from lotse_web.entrypoints.finder_pages import finder_render
from lotse_web.entrypoints.security import WebDep
from lotse_web.finder import languages
from lotse_web.finder.search import parse_query, search
from lotse_web.finder.views import offer_card, offer_page, rules_in_words
from lotse_web.finder.words import KIND_EXPLAINED, KINDS

__all__ = ["router", "unavailable_page"]

router = APIRouter(prefix="/angebote")

PER_PAGE = 20
MAX_HANDOUT = 10


def _variant(code: str) -> languages.Variant | None:
    return languages.use(code) if code in languages.VARIANTS else None


def unavailable_page(request: Request) -> Response:
    """The finder's own "try again shortly", in the page's language (see create_app)."""
    languages.use(request.url.path.removeprefix("/angebote/").partition("/")[0])
    response = finder_render(request, "finder/unavailable.html", {}, status=503)
    response.headers["Retry-After"] = "5"
    return response


def _missing(request: Request) -> Response:
    languages.use(request.path_params.get("code", languages.DEFAULT))
    return finder_render(request, "finder/not_found.html", {}, status=404)


@router.get("", summary="The finder in the visitor's language, as the browser asks for it.")
async def finder_start(request: Request) -> Response:
    wanted = [part.split(";")[0].strip().replace("-", "_")
              for part in request.headers.get("accept-language", "").split(",")]  # fmt: skip
    plain = [code for code in languages.VARIANTS if code != "ls"]
    best = negotiate_locale(wanted, plain) or languages.DEFAULT
    return RedirectResponse(f"/angebote/{best}", status_code=303)


@router.get("/{code}", summary="Search the published offers.")
async def finder_search(request: Request, code: str, web: WebDep) -> Response:
    if _variant(code) is None:
        return _missing(request)
    query = parse_query(request.query_params, web.region.municipalities)
    published = await web.published.current()
    found = search(published.offers, query, datetime.now(UTC).date())
    pages = max(1, -(-len(found) // PER_PAGE))
    page = min(query.page, pages)
    shown = [offer_card(o, web.region) for o in found[(page - 1) * PER_PAGE : page * PER_PAGE]]
    context = {
        "query": query,
        "found": len(found),
        "offers": shown,
        "page": page,
        "pages": pages,
        "municipalities": sorted(
            ((m.ags, m.name) for m in web.region.municipalities.values()), key=lambda m: m[1]
        ),
        "spoken": published.spoken,
    }
    return finder_render(
        request, "finder/search.html", context, status=422 if query.errors else 200
    )


@router.get("/{code}/angebot/{offer_id}", summary="One published offer.")
async def finder_offer(request: Request, code: str, offer_id: str, web: WebDep) -> Response:
    published = await web.published.current()
    offer = published.by_id.get(offer_id)
    if _variant(code) is None or offer is None:
        return _missing(request)
    page = offer_page(offer, web.region, published.rules)
    return finder_render(request, "finder/offer.html", {"offer": page})


@router.get("/{code}/art/{kind}", summary="A kind of offer, explained in plain words.")
async def finder_kind(request: Request, code: str, kind: str, web: WebDep) -> Response:
    if _variant(code) is None or kind not in KINDS:
        return _missing(request)
    rules = rules_in_words(kind, (await web.published.current()).rules)
    context = {"kind": kind, "name": KINDS[kind], "explained": KIND_EXPLAINED[kind], "rules": rules}
    return finder_render(request, "finder/kind.html", context)


@router.get("/{code}/handzettel", summary="A printable handout for one or more offers.")
async def finder_handout(
    request: Request,
    code: str,
    web: WebDep,
    angebot: Annotated[list[str] | None, Query(description="The offers, repeatable.")] = None,
) -> Response:
    variant = _variant(code)
    published = await web.published.current()
    chosen = [published.by_id[i] for i in dict.fromkeys(angebot or ()) if i in published.by_id][
        :MAX_HANDOUT
    ]
    if variant is None:
        return _missing(request)
    if not chosen:  # nothing ticked, or only offers no longer published
        return finder_render(request, "finder/handout.html", {"items": []}, status=422)
    root = web.settings.public_url.rstrip("/")
    items = []
    for offer in chosen:
        address = f"{root}/angebote/{variant.code}/angebot/{offer['id']}"
        qr = segno.make(address, error="m").svg_inline(scale=4, svgclass="qr", omitsize=False)
        items.append((offer_page(offer, web.region, published.rules), address, qr))
    return finder_render(request, "finder/handout.html", {"items": items})
