"""Who may sign in and how: the ``LoginProvider`` port.

The sign-in page asks the provider what to offer. Two kinds exist:

- the development provider lists the directory's people (:meth:`accounts`) and signs in
  as any of them (:meth:`sign_in_as`);
- an OpenID Connect provider sends the browser to the issuer (:meth:`begin`) and
  finishes on the callback (:meth:`complete`); its tokens are refreshed before they
  expire (:meth:`refresh`), and signing out ends the issuer's session too
  (:meth:`end_session_url`).

LoginFailed            — the sign-in did not succeed (the development sign-in's words for the user)
├── SignInRefused      — the issuer's answer cannot be trusted, or it refused: sign in again
├── IssuerUnreachable  — the issuer did not answer: try again shortly
└── RoleMissing        — the issuer vouched for the person, but Lotse has no role for them

The subclasses' ``str()`` is for the log; the page puts each kind into its own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lotse_shared.identity import Role

__all__ = [
    "Account",
    "IssuerTokens",
    "IssuerUnreachable",
    "LoginFailed",
    "LoginProvider",
    "PendingSignIn",
    "RoleMissing",
    "SignInRedirect",
    "SignInRefused",
    "SignedInUser",
]


@dataclass(frozen=True)
class Account:
    """Someone the development sign-in offers to sign in as."""

    id: str
    role: Role
    name: str
    organisation: str | None


@dataclass(frozen=True)
class IssuerTokens:
    """The issuer's tokens behind a session besides the API token; they never leave the server."""

    expires_at: datetime  # when the API (access) token expires
    refresh_token: str | None
    id_token: str | None


@dataclass(frozen=True)
class SignedInUser:
    """Who signed in, as the login provider vouches for them, and the token the APIs take."""

    id: str
    role: Role
    display_name: str
    organisation: str | None
    api_token: str
    tokens: IssuerTokens | None = None  # only where an issuer signed them in


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in sent to the issuer and not back yet: what its callback needs to finish it."""

    state: str
    nonce: str
    code_verifier: str
    next: str


@dataclass(frozen=True)
class SignInRedirect:
    """Where to send the browser to sign in, and what to keep until it comes back."""

    url: str
    pending: PendingSignIn


class LoginFailed(Exception):
    """The sign-in did not succeed; ``str(exc)`` says why in words a user can act on."""


class SignInRefused(LoginFailed):
    """The issuer refused, or its answer failed a check (state, nonce, signature, audience)."""


class IssuerUnreachable(LoginFailed):
    """The issuer did not answer (or answered with a server error): nothing to refuse yet."""


class RoleMissing(LoginFailed):
    """The issuer signed the person in, but their token carries no usable Lotse role.

    ``missing`` names what is missing (for the KI, who sets up accounts); ``id_token``
    lets the sign-out end the issuer's session all the same.
    """

    def __init__(self, missing: str, *, display_name: str, id_token: str) -> None:
        super().__init__(missing)
        self.missing = missing
        self.display_name = display_name
        self.id_token = id_token


class LoginProvider:
    """Signs people in and vouches for who they are, with the token the APIs accept.

    Each kind overrides what it does; what it does not do keeps the defaults here.
    """

    kind: str
    name: str = ""  # what the sign-in page calls the issuer

    async def start(self) -> None:
        """Reach whatever vouches for users; an exception stops the web app's start."""

    async def close(self) -> None:
        """Let go of connections :meth:`start` opened."""

    async def accounts(self) -> list[Account]:
        """The accounts a "sign in as" list shows; empty where people sign in elsewhere."""
        return []

    async def sign_in_as(self, account_id: str) -> SignedInUser:
        """Sign in as one of :meth:`accounts`; ``LoginFailed`` when that is not possible."""
        raise LoginFailed("Please use the sign-in button.")

    async def begin(self, next: str) -> SignInRedirect:
        """Start a sign-in at the issuer; the browser comes back to :meth:`complete` with ``next``."""
        raise LoginFailed("Please use the sign-in button.")

    async def complete(self, pending: PendingSignIn, code: str) -> SignedInUser:
        """Finish a sign-in :meth:`begin` started, with the code the issuer sent back.

        The caller has already matched ``pending`` to the callback's ``state`` and to the
        browser that started it. ``RoleMissing`` when the person has no Lotse role.
        """
        raise LoginFailed("Please use the sign-in button.")

    def needs_refresh(self, user: SignedInUser, now: datetime) -> bool:
        """Whether :meth:`refresh` should run before the user's API token is used."""
        return False

    async def refresh(self, user: SignedInUser) -> SignedInUser:
        """New tokens for a signed-in user.

        ``SignInRefused`` or ``RoleMissing``: the session must end (sign in again);
        ``IssuerUnreachable``: keep the tokens there are and try again on the next page.
        """
        return user

    def end_session_url(self, id_token: str | None) -> str | None:
        """Where to send the browser after sign-out so the identity provider ends its session too."""
        return None

    def form_targets(self) -> tuple[str, ...]:
        """Origins a form's answer may redirect to (sign-out): the page's CSP must allow them."""
        return ()
