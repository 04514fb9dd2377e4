"""What a provider may reach on the desk: their own offers. Anyone else's is the 404 page.

Offers are public to everyone signed in, so the catalog shows another
provider's offer; the desk's pages and forms still never open it, whether
asked for by a link or posted to directly.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.i18n import gettext_ as _

__all__ = ["not_yours", "own_offer", "see_other", "unavailable_message", "version_of"]


def not_yours() -> HTTPException:
    """The same answer as for an offer that does not exist: nothing is revealed."""
    return HTTPException(status_code=404)


async def own_offer(web: Web, session: Session, offer_id: str) -> dict[str, Any]:
    offer = await web.catalog.offer(session.user.api_token, offer_id)
    if offer.get("provider_id") != session.user.id:
        raise not_yours()
    return offer


def see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def version_of(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def unavailable_message() -> str:
    return _("Lotse cannot reach one of its services right now. Nothing was saved; "
             "your entries are still here. Please try again in a moment.")  # fmt: skip
